// Errors thrown by the engine. Every message names the problem (and the file or key
// when there is one) so the CLI and the app can show it as is.
#pragma once
#include <stdexcept>
#include <string>

namespace kmlm {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A file or input that does not follow its format: truncated, bad offsets, wrong types.
class FormatError : public Error {
public:
    using Error::Error;
};

// A file that cannot be opened, read or written.
class IoError : public Error {
public:
    using Error::Error;
};

// A bad argument from the caller or user: invalid UTF-8, unknown option value, bad token id.
class InvalidArgument : public Error {
public:
    using Error::Error;
};

// Refused because it would not fit under the memory ceiling.
class MemoryLimitError : public Error {
public:
    using Error::Error;
};

// Stopped on the caller's request (LoadOptions::cancel).
class CancelledError : public Error {
public:
    using Error::Error;
};

} // namespace kmlm
