<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>Catalog</name>
    <message>
        <source>%1: not valid JSON at offset %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the catalog must be a JSON object</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be read: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is too large for a catalog</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bundled model catalog (catalog.json) was not found.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChatImporter</name>
    <message>
        <source>not valid JSON: %1 at byte %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not a conversation: the JSON is not an object</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not a conversation: &quot;format&quot; is not &quot;%1&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unsupported conversation version (expected %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; must be a string</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;sampling&quot; must be an object</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;messages&quot; must be an array</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>message %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not an object</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: &quot;id&quot; must be a positive integer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: id %2 is used twice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: &quot;parent&quot; must be the id of an earlier message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: &quot;role&quot; must be user, assistant or system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: &quot;text&quot; must be a string</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: unknown &quot;state&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot import the conversation</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Markdown</name>
    <message>
        <source>Copy</source>
        <translation>Copy</translation>
    </message>
</context>
<context>
    <name>kmlm::core::ChatSession</name>
    <message>
        <source>An answer is still being written.</source>
        <translation>An answer is still being written.</translation>
    </message>
</context>
<context>
    <name>kmlm::core::ConversationListModel</name>
    <message>
        <source>New chat</source>
        <translation>New chat</translation>
    </message>
</context>
<context>
    <name>kmlm::core::EngineController</name>
    <message>
        <source>Cannot connect to the server. Is it running? (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server did not answer in time. (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server refused the API key: check the key of the remote model. (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server is busy: try again in a moment. (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server failed. (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection to the server was lost; the part of the answer that came is kept. (%1)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>kmlm::core::EngineWorker</name>
    <message>
        <source>Could not load the model %1: %2</source>
        <translation>Could not load the model %1: %2</translation>
    </message>
    <message>
        <source>The chat template of %1 cannot be used (%2); the built-in %3 chat format is used instead.</source>
        <translation>The chat template of %1 cannot be used (%2); the built-in %3 chat format is used instead.</translation>
    </message>
    <message>
        <source>No model is loaded.</source>
        <translation>No model is loaded.</translation>
    </message>
    <message>
        <source>The model failed: %1</source>
        <translation>The model failed: %1</translation>
    </message>
    <message>
        <source>Could not count tokens: %1</source>
        <translation>Could not count tokens: %1</translation>
    </message>
    <message>
        <source>Could not use the remote model: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>kmlm::core::ModelDownload</name>
    <message>
        <source>%1 is not a file name in a repository.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 was not found on Hugging Face: the file has moved or was removed. A newer model catalog may know where it is now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 needs a Hugging Face token: this is a gated model. Accept its license on the model&apos;s page, create a token and enter it in the settings (Engine page).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hugging Face refused the token for %1: it is invalid or expired.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access to %1 was refused: accept the model&apos;s license on its Hugging Face page with the account of your token.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hugging Face answered HTTP %1 for %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot reach %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hugging Face answered HTTP %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hugging Face redirected %1 nowhere.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Too many redirects for %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hugging Face gave no size for %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is already in the models folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write to the models folder %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not enough disk space in %1: the download needs %2, %3 are free.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server sent the wrong part of the file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hugging Face sent more than the %1 bytes of %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the connection closed early</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download interrupted at %1 of %2 (%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1. Gave up after %2 attempts; the part downloaded so far is kept, start again to resume.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1; retrying in %2 s.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The downloaded %1 is damaged (its SHA-256 is %2, Hugging Face says %3). It was deleted; try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot move %1 into place.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>kmlm::core::ModelRegistry</name>
    <message>
        <source>This model cannot be run: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file %1 cannot be read.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>kmlm::ui::ChatPage</name>
    <message>
        <source>Send</source>
        <translation>Send</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stop</translation>
    </message>
    <message>
        <source>Search all chats</source>
        <translation>Search all chats</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>New chat</translation>
    </message>
    <message>
        <source>Conversation settings…</source>
        <translation>Conversation settings…</translation>
    </message>
    <message>
        <source>Stop the answer (Esc)</source>
        <translation>Stop the answer (Esc)</translation>
    </message>
    <message>
        <source>%1 tokens/s</source>
        <translation>%1 tokens/s</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>Chat</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n token</numerusform>
            <numerusform>%n tokens</numerusform>
        </translation>
    </message>
    <message>
        <source>Edit and resend</source>
        <translation>Edit and resend</translation>
    </message>
    <message>
        <source>Question:</source>
        <translation>Question:</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>Rename…</translation>
    </message>
    <message>
        <source>Rename chat</source>
        <translation>Rename chat</translation>
    </message>
    <message>
        <source>Title:</source>
        <translation>Title:</translation>
    </message>
    <message>
        <source>Delete chat</source>
        <translation>Delete chat</translation>
    </message>
    <message>
        <source>Conversation settings</source>
        <translation>Conversation settings</translation>
    </message>
    <message>
        <source>Use its own sampling settings (otherwise the defaults from Settings)</source>
        <translation>Use its own sampling settings (otherwise the defaults from Settings)</translation>
    </message>
    <message>
        <source>System prompt:</source>
        <translation>System prompt:</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>Undo delete</source>
        <translation>Undo delete</translation>
    </message>
    <message>
        <source>Chat “%1” deleted.</source>
        <translation>Chat “%1” deleted.</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Undo</translation>
    </message>
    <message>
        <source>Bring the chat back (Ctrl+Z in the list)</source>
        <translation>Bring the chat back (Ctrl+Z in the list)</translation>
    </message>
    <message>
        <source>Export as Markdown…</source>
        <translation>Export as Markdown…</translation>
    </message>
    <message>
        <source>Export as JSON…</source>
        <translation>Export as JSON…</translation>
    </message>
    <message>
        <source>Import chat…</source>
        <translation>Import chat…</translation>
    </message>
    <message>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>Export chat</source>
        <translation>Export chat</translation>
    </message>
    <message>
        <source>The chat could not be saved to %1: %2</source>
        <translation>The chat could not be saved to %1: %2</translation>
    </message>
    <message>
        <source>Import chat</source>
        <translation>Import chat</translation>
    </message>
    <message>
        <source>Exported chats (*.json);;All files (*)</source>
        <translation>Exported chats (*.json);;All files (*)</translation>
    </message>
    <message>
        <source>%1 could not be read: %2</source>
        <translation>%1 could not be read: %2</translation>
    </message>
    <message>
        <source>%1 is too large to be an exported chat.</source>
        <translation>%1 is too large to be an exported chat.</translation>
    </message>
    <message>
        <source>%1 could not be imported: %2</source>
        <translation>%1 could not be imported: %2</translation>
    </message>
    <message>
        <source>System prompt, sampling and reasoning for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chat title</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens in the message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answer speed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Think before answering (reasoning models such as Qwen3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The model reasons first; the reasoning is shown folded above the answer. Off: it answers at once.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
</context>
<context>
    <name>kmlm::ui::ChatView</name>
    <message>
        <source>Edit</source>
        <translation>Edit</translation>
    </message>
    <message>
        <source>Writing… %1 tokens/s</source>
        <translation>Writing… %1 tokens/s</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n token</numerusform>
            <numerusform>%n tokens</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 tokens/s</source>
        <translation>%1 tokens/s</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>stopped</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>failed</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>Regenerate</translation>
    </message>
    <message>
        <source>Plan a one-day walk through Seoul&apos;s palaces and markets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Explain when to use 은/는 and when 이/가, with examples</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write a short, polite email declining a meeting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Summarize the main causes of climate change in three sentences</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What would you like to ask?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No model is loaded yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answering: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is the tiny built-in model: it writes Korean-like text but does not really understand questions. Add a real model for useful answers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answers are generated on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reasoning…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reasoning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished">Copy</translation>
    </message>
</context>
<context>
    <name>kmlm::ui::Composer</name>
    <message>
        <source>Type a message. Enter sends, Shift+Enter starts a new line.</source>
        <translation>Type a message. Enter sends, Shift+Enter starts a new line.</translation>
    </message>
</context>
<context>
    <name>kmlm::ui::EditorPage</name>
    <message>
        <source>Write here. When you pause, the model proposes how to go on.</source>
        <translation>Write here. When you pause, the model proposes how to go on.</translation>
    </message>
    <message>
        <source>Tab: accept · Ctrl+→: accept a word · Esc: dismiss</source>
        <translation>Tab: accept · Ctrl+→: accept a word · Esc: dismiss</translation>
    </message>
    <message>
        <source>New</source>
        <translation>New</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>Open…</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>Save as…</translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation>Untitled</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>Unsaved changes</translation>
    </message>
    <message>
        <source>The document “%1” has unsaved changes. Save them?</source>
        <translation>The document “%1” has unsaved changes. Save them?</translation>
    </message>
    <message>
        <source>Open document</source>
        <translation>Open document</translation>
    </message>
    <message>
        <source>Text and Markdown (*.txt *.md *.markdown);;All files (*)</source>
        <translation>Text and Markdown (*.txt *.md *.markdown);;All files (*)</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>Cannot open %1: %2</translation>
    </message>
    <message>
        <source>Save document</source>
        <translation>Save document</translation>
    </message>
    <message>
        <source>Cannot save %1: %2</source>
        <translation>Cannot save %1: %2</translation>
    </message>
    <message>
        <source>Document</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>kmlm::ui::FirstRunOffer</name>
    <message>
        <source>The built-in model is only a tiny demonstration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Don&apos;t show again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Korean Mini LM comes with a tiny jamo-level GRU (under a million parameters) so that it works without a download, but it cannot really answer questions. %1 by %2 fits this computer: a %3 download, about %4 of memory with a %5-token context (ceiling %6). %7</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume download</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>kmlm::ui::MainWindow</name>
    <message>
        <source>Chat</source>
        <translation>Chat</translation>
    </message>
    <message>
        <source>Editor</source>
        <translation>Editor</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>&amp;New chat</source>
        <translation>&amp;New chat</translation>
    </message>
    <message>
        <source>&amp;Open document…</source>
        <translation>&amp;Open document…</translation>
    </message>
    <message>
        <source>&amp;Save document</source>
        <translation>&amp;Save document</translation>
    </message>
    <message>
        <source>Save document &amp;as…</source>
        <translation>Save document &amp;as…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>&amp;Chat</source>
        <translation>&amp;Chat</translation>
    </message>
    <message>
        <source>&amp;Search chats</source>
        <translation>&amp;Search chats</translation>
    </message>
    <message>
        <source>S&amp;top answer</source>
        <translation>S&amp;top answer</translation>
    </message>
    <message>
        <source>&amp;Regenerate answer</source>
        <translation>&amp;Regenerate answer</translation>
    </message>
    <message>
        <source>Conversation &amp;settings…</source>
        <translation>Conversation &amp;settings…</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>&amp;Settings</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Settings…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>&amp;About Korean Mini LM</source>
        <translation>&amp;About Korean Mini LM</translation>
    </message>
    <message>
        <source>No model</source>
        <translation>No model</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>Loading %1…</translation>
    </message>
    <message>
        <source>No model found: put a GGUF file in the models folder (Settings).</source>
        <translation>No model found: put a GGUF file in the models folder (Settings).</translation>
    </message>
    <message>
        <source>Model: %1 (%2, %3)</source>
        <translation>Model: %1 (%2, %3)</translation>
    </message>
    <message>
        <source>no model is loaded</source>
        <translation>no model is loaded</translation>
    </message>
    <message>
        <source>%1 is used now</source>
        <translation>%1 is used now</translation>
    </message>
    <message>
        <source>Model not loaded</source>
        <translation>Model not loaded</translation>
    </message>
    <message>
        <source>The model could not be loaded: %1

Instead, %2.</source>
        <translation>The model could not be loaded: %1

Instead, %2.</translation>
    </message>
    <message>
        <source>About Korean Mini LM</source>
        <translation>About Korean Mini LM</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Korean Mini LM %1&lt;/h3&gt;&lt;p&gt;An offline Korean chat assistant and completion editor. Everything runs on this computer; nothing is sent anywhere.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Korean Mini LM %1&lt;/h3&gt;&lt;p&gt;An offline Korean chat assistant and completion editor. Everything runs on this computer; nothing is sent anywhere.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Korean Mini LM</source>
        <translation>Korean Mini LM</translation>
    </message>
    <message>
        <source>Export as &amp;Markdown…</source>
        <translation>Export as &amp;Markdown…</translation>
    </message>
    <message>
        <source>Export as &amp;JSON…</source>
        <translation>Export as &amp;JSON…</translation>
    </message>
    <message>
        <source>&amp;Import chat…</source>
        <translation>&amp;Import chat…</translation>
    </message>
    <message>
        <source>Chat and editor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Active model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading the model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Local API server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API server: off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The local API server is off (Settings, Engine).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API server: 127.0.0.1:%1, %2 served</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Programs on this computer reach the active model at http://127.0.0.1:%1/v1; requests answered since the server started: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API server: port %1 is taken</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The local API server could not start: %1. Choose another port in Settings, Engine.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model: %1 (remote, %2)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>kmlm::ui::MemoryMeterWidget</name>
    <message>
        <source>%1 / %2</source>
        <extracomment>memory used / memory ceiling, e.g. &quot;1.2 GiB / 3.0 GiB&quot;</extracomment>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>Memory: no reading yet</source>
        <translation>Memory: no reading yet</translation>
    </message>
    <message>
        <source>Memory meter</source>
        <translation>Memory meter</translation>
    </message>
    <message>
        <source>Memory: %1 of the %2 ceiling (%3%)</source>
        <translation>Memory: %1 of the %2 ceiling (%3%)</translation>
    </message>
    <message>
        <source>Memory: %1 (no ceiling)</source>
        <translation>Memory: %1 (no ceiling)</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>Model: %1</translation>
    </message>
    <message>
        <source>KV cache: %1</source>
        <translation>KV cache: %1</translation>
    </message>
    <message>
        <source>Application: %1</source>
        <translation>Application: %1</translation>
    </message>
    <message numerus="yes">
        <source>Peak of the last %n sample(s): %1</source>
        <translation>
            <numerusform>Peak of the last sample: %1</numerusform>
            <numerusform>Peak of the last %n samples: %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>kmlm::ui::RemoteModelDialog</name>
    <message>
        <source>&amp;List models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add remote model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>optional</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model on the server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A server with an OpenAI-compatible API: kmlm serve, llama.cpp&apos;s server, Ollama or vLLM. The questions of chats on this model are sent to it. The key is stored readable by you alone, never in the settings file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server &amp;address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API &amp;key:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Model:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking the server for its models…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server lists no models.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n model(s) on the server: choose one.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>kmlm::ui::SamplingEditor</name>
    <message>
        <source>0 (always the likeliest token)</source>
        <translation>0 (always the likeliest token)</translation>
    </message>
    <message>
        <source>off</source>
        <translation>off</translation>
    </message>
    <message>
        <source>random</source>
        <translation>random</translation>
    </message>
    <message>
        <source>&amp;Temperature:</source>
        <translation>&amp;Temperature:</translation>
    </message>
    <message>
        <source>Top-&amp;k:</source>
        <translation>Top-&amp;k:</translation>
    </message>
    <message>
        <source>Top-&amp;p:</source>
        <translation>Top-&amp;p:</translation>
    </message>
    <message>
        <source>&amp;Min-p:</source>
        <translation>&amp;Min-p:</translation>
    </message>
    <message>
        <source>&amp;Repetition penalty:</source>
        <translation>&amp;Repetition penalty:</translation>
    </message>
    <message>
        <source>P&amp;resence penalty:</source>
        <translation>P&amp;resence penalty:</translation>
    </message>
    <message>
        <source>Maximum &amp;answer length (tokens):</source>
        <translation>Maximum &amp;answer length (tokens):</translation>
    </message>
    <message>
        <source>&amp;Seed:</source>
        <translation>&amp;Seed:</translation>
    </message>
</context>
<context>
    <name>kmlm::ui::SettingsDialog</name>
    <message>
        <source>%1 GB</source>
        <translation>%1 GB</translation>
    </message>
    <message>
        <source>%1 MB</source>
        <translation>%1 MB</translation>
    </message>
    <message>
        <source>%1 KB</source>
        <translation>%1 KB</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Models</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>Engine</translation>
    </message>
    <message>
        <source>Generation</source>
        <translation>Generation</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Appearance</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Model</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>Architecture</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameters</translation>
    </message>
    <message>
        <source>Quantization</source>
        <translation>Quantization</translation>
    </message>
    <message>
        <source>File size</source>
        <translation>File size</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>Context</translation>
    </message>
    <message>
        <source>Memory estimate</source>
        <translation>Memory estimate</translation>
    </message>
    <message>
        <source>Use this model</source>
        <translation>Use this model</translation>
    </message>
    <message>
        <source>Add model file…</source>
        <translation>Add model file…</translation>
    </message>
    <message>
        <source>Open models folder</source>
        <translation>Open models folder</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>Models folder: %1</source>
        <translation>Models folder: %1</translation>
    </message>
    <message>
        <source>Add model file</source>
        <translation>Add model file</translation>
    </message>
    <message>
        <source>%1 is not a usable model: %2</source>
        <translation>%1 is not a usable model: %2</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>Loading %1…</translation>
    </message>
    <message>
        <source>Active model: %1</source>
        <translation>Active model: %1</translation>
    </message>
    <message>
        <source>Loading failed: %1</source>
        <translation>Loading failed: %1</translation>
    </message>
    <message>
        <source>%1 (bundled)</source>
        <translation>%1 (bundled)</translation>
    </message>
    <message>
        <source>%1 — active</source>
        <translation>%1 — active</translation>
    </message>
    <message>
        <source>unreadable: %1</source>
        <translation>unreadable: %1</translation>
    </message>
    <message>
        <source>unbounded</source>
        <translation>unbounded</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unknown</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF models (*.gguf);;All files (*)</translation>
    </message>
    <message>
        <source>all cores (%1)</source>
        <translation>all cores (%1)</translation>
    </message>
    <message>
        <source> tokens</source>
        <translation> tokens</translation>
    </message>
    <message>
        <source>8-bit (Q8_0, half the memory)</source>
        <translation>8-bit (Q8_0, half the memory)</translation>
    </message>
    <message>
        <source>16-bit (F16, exact)</source>
        <translation>16-bit (F16, exact)</translation>
    </message>
    <message>
        <source>Changes take effect when the model is loaded again (done on OK).</source>
        <translation>Changes take effect when the model is loaded again (done on OK).</translation>
    </message>
    <message>
        <source>&amp;Threads:</source>
        <translation>&amp;Threads:</translation>
    </message>
    <message>
        <source>&amp;Context length:</source>
        <translation>&amp;Context length:</translation>
    </message>
    <message>
        <source>&amp;KV cache:</source>
        <translation>&amp;KV cache:</translation>
    </message>
    <message>
        <source>For example: 당신은 친절한 한국어 도우미입니다.</source>
        <translation>For example: 당신은 친절한 한국어 도우미입니다.</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Light</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dark</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>System language</translation>
    </message>
    <message>
        <source>system</source>
        <translation>system</translation>
    </message>
    <message>
        <source> pt</source>
        <translation> pt</translation>
    </message>
    <message>
        <source>&amp;Theme:</source>
        <translation>&amp;Theme:</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Language:</translation>
    </message>
    <message>
        <source>&amp;Font size:</source>
        <translation>&amp;Font size:</translation>
    </message>
    <message>
        <source>Installed models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Models to download</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel download</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory at %1 tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Under the ceiling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (not supported yet)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>does not fit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>installed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>paused at %1%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation>failed</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a model and one of its quantizations: the list shows how much memory each needs with the context and KV cache of the Engine page, before anything is downloaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Publisher</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>License</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This version of the engine cannot run %1 models yet; the memory figures show what it will need.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A gated model: it needs a Hugging Face token (Engine page).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a model to see its details.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Problem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vocabulary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (weights %2, KV cache %3) at %4 tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ceiling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fits under %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>does not fit under %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The built-in model is a tiny demonstration model: it writes Korean-looking text but cannot really answer. Download a real model below.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> GiB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no ceiling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>hf_… (only for gated models)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Performance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory &amp;ceiling:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The whole application stays under the ceiling: a model that would not fit is refused before it loads, and an answer stops before memory runs out. Default %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hugging Face</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access &amp;token:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Needed only for gated models (such as Google&apos;s own Gemma repositories). It is stored with your settings, readable by you alone, and sent only to Hugging Face.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System prompt of new conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sampling defaults (a conversation can have its own)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the download before it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting to Hugging Face…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Downloading: %1% (%2 of %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, %1/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, %1 min left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, %1 s left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking the SHA-256…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused at %1% (%2 of %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Downloaded and verified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Downloaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add remote model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forgets the remote model and its API key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — remote, active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — remote</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>stored, readable by you alone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A model on another server: the questions of its chats are sent there, and it uses no memory here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Local API server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Serve the active model to programs on this computer (OpenAI-compatible API)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>optional</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API &amp;key:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loopback only: the server listens on 127.0.0.1, so only programs on this computer can reach it, at http://127.0.0.1:%1/v1. It answers with the model of the chat window, taking turns with the chat and the editor. With a key, clients send &quot;Authorization: Bearer KEY&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Korean Mini LM</source>
        <translation>Korean Mini LM</translation>
    </message>
    <message>
        <source>The chat history %1 cannot be opened: %2</source>
        <translation>The chat history %1 cannot be opened: %2</translation>
    </message>
</context>
</TS>
