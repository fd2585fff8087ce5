# The server tests talk HTTP (cpp-httplib's client) to `kmlm serve`; the OpenAI client test
# runs Node.js with the openai package that scripts/install-server-test-deps.sh installs.
find_package(PkgConfig REQUIRED)
pkg_check_modules(KMLM_TEST_HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
foreach(t IN LISTS area_tests)
  get_filename_component(name ${t} NAME_WE)
  target_link_libraries(server_${name} PRIVATE kmlm_server PkgConfig::KMLM_TEST_HTTPLIB)
  target_compile_definitions(server_${name} PRIVATE KMLM_NODE_TESTS="${CMAKE_CURRENT_SOURCE_DIR}/server/node")
endforeach()
# The fuzz target's exchange, replayed on fuzz/regressions/http.
target_sources(server_tst_http_fuzz_regressions PRIVATE ${PROJECT_SOURCE_DIR}/fuzz/http_target.cpp)
target_include_directories(server_tst_http_fuzz_regressions PRIVATE ${PROJECT_SOURCE_DIR}/fuzz)
