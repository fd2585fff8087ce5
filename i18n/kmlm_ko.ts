<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko_KR">
<context>
    <name>Catalog</name>
    <message>
        <source>%1: not valid JSON at offset %2: %3</source>
        <translation>%1: 위치 %2에서 JSON 형식이 잘못되었습니다: %3</translation>
    </message>
    <message>
        <source>%1: the catalog must be a JSON object</source>
        <translation>%1: 카탈로그는 JSON 객체여야 합니다</translation>
    </message>
    <message>
        <source>%1 cannot be read: %2</source>
        <translation>%1을(를) 읽을 수 없습니다: %2</translation>
    </message>
    <message>
        <source>%1 is too large for a catalog</source>
        <translation>%1은(는) 카탈로그로 보기에 너무 큽니다</translation>
    </message>
    <message>
        <source>The bundled model catalog (catalog.json) was not found.</source>
        <translation>함께 제공되는 모델 카탈로그(catalog.json)를 찾을 수 없습니다.</translation>
    </message>
</context>
<context>
    <name>ChatImporter</name>
    <message>
        <source>not valid JSON: %1 at byte %2</source>
        <translation>올바른 JSON이 아닙니다: %2번째 바이트에서 %1</translation>
    </message>
    <message>
        <source>not a conversation: the JSON is not an object</source>
        <translation>대화가 아닙니다: JSON이 객체가 아닙니다</translation>
    </message>
    <message>
        <source>not a conversation: &quot;format&quot; is not &quot;%1&quot;</source>
        <translation>대화가 아닙니다: &quot;format&quot;이 &quot;%1&quot;이 아닙니다</translation>
    </message>
    <message>
        <source>unsupported conversation version (expected %1)</source>
        <translation>지원하지 않는 대화 버전입니다 (%1이어야 합니다)</translation>
    </message>
    <message>
        <source>&quot;%1&quot; must be a string</source>
        <translation>&quot;%1&quot;은 문자열이어야 합니다</translation>
    </message>
    <message>
        <source>&quot;sampling&quot; must be an object</source>
        <translation>&quot;sampling&quot;은 객체여야 합니다</translation>
    </message>
    <message>
        <source>&quot;messages&quot; must be an array</source>
        <translation>&quot;messages&quot;는 배열이어야 합니다</translation>
    </message>
    <message>
        <source>message %1</source>
        <translation>메시지 %1</translation>
    </message>
    <message>
        <source>%1 is not an object</source>
        <translation>%1이 객체가 아닙니다</translation>
    </message>
    <message>
        <source>%1: &quot;id&quot; must be a positive integer</source>
        <translation>%1: &quot;id&quot;는 양의 정수여야 합니다</translation>
    </message>
    <message>
        <source>%1: id %2 is used twice</source>
        <translation>%1: id %2가 두 번 쓰였습니다</translation>
    </message>
    <message>
        <source>%1: &quot;parent&quot; must be the id of an earlier message</source>
        <translation>%1: &quot;parent&quot;는 앞선 메시지의 id여야 합니다</translation>
    </message>
    <message>
        <source>%1: &quot;role&quot; must be user, assistant or system</source>
        <translation>%1: &quot;role&quot;은 user, assistant, system 중 하나여야 합니다</translation>
    </message>
    <message>
        <source>%1: &quot;text&quot; must be a string</source>
        <translation>%1: &quot;text&quot;는 문자열이어야 합니다</translation>
    </message>
    <message>
        <source>%1: unknown &quot;state&quot;</source>
        <translation>%1: 알 수 없는 &quot;state&quot;</translation>
    </message>
    <message>
        <source>cannot import the conversation</source>
        <translation>대화를 가져올 수 없습니다</translation>
    </message>
</context>
<context>
    <name>Markdown</name>
    <message>
        <source>Copy</source>
        <translation>복사</translation>
    </message>
</context>
<context>
    <name>kmlm::core::ChatSession</name>
    <message>
        <source>An answer is still being written.</source>
        <translation>아직 답변을 쓰는 중입니다.</translation>
    </message>
</context>
<context>
    <name>kmlm::core::ConversationListModel</name>
    <message>
        <source>New chat</source>
        <translation>새 대화</translation>
    </message>
</context>
<context>
    <name>kmlm::core::EngineController</name>
    <message>
        <source>Cannot connect to the server. Is it running? (%1)</source>
        <translation>서버에 연결할 수 없습니다. 서버가 실행 중인지 확인해 주세요. (%1)</translation>
    </message>
    <message>
        <source>The server did not answer in time. (%1)</source>
        <translation>서버가 제때 응답하지 않았습니다. (%1)</translation>
    </message>
    <message>
        <source>The server refused the API key: check the key of the remote model. (%1)</source>
        <translation>서버가 API 키를 거부했습니다. 원격 모델의 키를 확인해 주세요. (%1)</translation>
    </message>
    <message>
        <source>The server is busy: try again in a moment. (%1)</source>
        <translation>서버가 바쁩니다. 잠시 후 다시 시도해 주세요. (%1)</translation>
    </message>
    <message>
        <source>The server failed. (%1)</source>
        <translation>서버에서 오류가 났습니다. (%1)</translation>
    </message>
    <message>
        <source>The connection to the server was lost; the part of the answer that came is kept. (%1)</source>
        <translation>서버와의 연결이 끊겼습니다. 받은 부분까지의 답변은 남겨 둡니다. (%1)</translation>
    </message>
</context>
<context>
    <name>kmlm::core::EngineWorker</name>
    <message>
        <source>Could not load the model %1: %2</source>
        <translation>모델 %1을(를) 불러올 수 없습니다: %2</translation>
    </message>
    <message>
        <source>The chat template of %1 cannot be used (%2); the built-in %3 chat format is used instead.</source>
        <translation>모델 %1의 채팅 템플릿을 사용할 수 없습니다(%2). 대신 내장 %3 채팅 형식을 사용합니다.</translation>
    </message>
    <message>
        <source>No model is loaded.</source>
        <translation>불러온 모델이 없습니다.</translation>
    </message>
    <message>
        <source>The model failed: %1</source>
        <translation>모델 오류: %1</translation>
    </message>
    <message>
        <source>Could not count tokens: %1</source>
        <translation>토큰 수를 셀 수 없습니다: %1</translation>
    </message>
    <message>
        <source>Could not use the remote model: %1</source>
        <translation>원격 모델을 사용할 수 없습니다: %1</translation>
    </message>
</context>
<context>
    <name>kmlm::core::ModelDownload</name>
    <message>
        <source>%1 is not a file name in a repository.</source>
        <translation>%1은(는) 저장소의 파일 이름이 아닙니다.</translation>
    </message>
    <message>
        <source>%1 was not found on Hugging Face: the file has moved or was removed. A newer model catalog may know where it is now.</source>
        <translation>Hugging Face에서 %1을(를) 찾을 수 없습니다: 파일이 옮겨졌거나 삭제되었습니다. 더 새로운 모델 카탈로그에는 지금 위치가 있을 수 있습니다.</translation>
    </message>
    <message>
        <source>%1 needs a Hugging Face token: this is a gated model. Accept its license on the model&apos;s page, create a token and enter it in the settings (Engine page).</source>
        <translation>%1은(는) 접근이 제한된 모델이라 Hugging Face 토큰이 필요합니다. 모델 페이지에서 라이선스에 동의하고 토큰을 만든 뒤 설정(엔진 페이지)에 입력하세요.</translation>
    </message>
    <message>
        <source>Hugging Face refused the token for %1: it is invalid or expired.</source>
        <translation>Hugging Face가 %1에 대한 토큰을 거부했습니다: 잘못되었거나 만료된 토큰입니다.</translation>
    </message>
    <message>
        <source>Access to %1 was refused: accept the model&apos;s license on its Hugging Face page with the account of your token.</source>
        <translation>%1에 대한 접근이 거부되었습니다: 토큰을 만든 계정으로 Hugging Face 모델 페이지에서 라이선스에 동의하세요.</translation>
    </message>
    <message>
        <source>Hugging Face answered HTTP %1 for %2.</source>
        <translation>Hugging Face가 %2에 대해 HTTP %1로 응답했습니다.</translation>
    </message>
    <message>
        <source>Cannot reach %1: %2</source>
        <translation>%1에 연결할 수 없습니다: %2</translation>
    </message>
    <message>
        <source>Hugging Face answered HTTP %1</source>
        <translation>Hugging Face가 HTTP %1로 응답했습니다</translation>
    </message>
    <message>
        <source>Hugging Face redirected %1 nowhere.</source>
        <translation>Hugging Face가 %1을(를) 알 수 없는 곳으로 넘겼습니다.</translation>
    </message>
    <message>
        <source>Too many redirects for %1.</source>
        <translation>%1의 리디렉션이 너무 많습니다.</translation>
    </message>
    <message>
        <source>Hugging Face gave no size for %1.</source>
        <translation>Hugging Face가 %1의 크기를 알려 주지 않았습니다.</translation>
    </message>
    <message>
        <source>%1 is already in the models folder.</source>
        <translation>%1은(는) 이미 모델 폴더에 있습니다.</translation>
    </message>
    <message>
        <source>Cannot write to the models folder %1.</source>
        <translation>모델 폴더 %1에 쓸 수 없습니다.</translation>
    </message>
    <message>
        <source>Not enough disk space in %1: the download needs %2, %3 are free.</source>
        <translation>%1에 디스크 공간이 부족합니다: 내려받기에 %2이(가) 필요한데 %3만 남아 있습니다.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1에 쓸 수 없습니다: %2</translation>
    </message>
    <message>
        <source>The server sent the wrong part of the file</source>
        <translation>서버가 파일의 엉뚱한 부분을 보냈습니다</translation>
    </message>
    <message>
        <source>Hugging Face sent more than the %1 bytes of %2.</source>
        <translation>Hugging Face가 %2의 %1바이트보다 많이 보냈습니다.</translation>
    </message>
    <message>
        <source>the connection closed early</source>
        <translation>연결이 일찍 끊겼습니다</translation>
    </message>
    <message>
        <source>Download interrupted at %1 of %2 (%3)</source>
        <translation>%2 중 %1에서 내려받기가 끊겼습니다 (%3)</translation>
    </message>
    <message>
        <source>%1. Gave up after %2 attempts; the part downloaded so far is kept, start again to resume.</source>
        <translation>%1. %2번 시도한 뒤 중단했습니다. 지금까지 받은 부분은 남아 있으니 다시 시작하면 이어서 받습니다.</translation>
    </message>
    <message>
        <source>%1; retrying in %2 s.</source>
        <translation>%1. %2초 뒤에 다시 시도합니다.</translation>
    </message>
    <message>
        <source>The downloaded %1 is damaged (its SHA-256 is %2, Hugging Face says %3). It was deleted; try again.</source>
        <translation>내려받은 %1이(가) 손상되었습니다 (SHA-256이 %2인데 Hugging Face는 %3라고 합니다). 파일을 지웠으니 다시 시도하세요.</translation>
    </message>
    <message>
        <source>Cannot move %1 into place.</source>
        <translation>%1을(를) 제자리로 옮길 수 없습니다.</translation>
    </message>
</context>
<context>
    <name>kmlm::core::ModelRegistry</name>
    <message>
        <source>This model cannot be run: %1.</source>
        <translation>이 모델은 실행할 수 없습니다: %1.</translation>
    </message>
    <message>
        <source>The file does not exist.</source>
        <translation>파일이 없습니다.</translation>
    </message>
    <message>
        <source>The file %1 cannot be read.</source>
        <translation>파일 %1을 읽을 수 없습니다.</translation>
    </message>
</context>
<context>
    <name>kmlm::ui::ChatPage</name>
    <message>
        <source>Send</source>
        <translation>보내기</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>중지</translation>
    </message>
    <message>
        <source>Search all chats</source>
        <translation>모든 대화 검색</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>새 대화</translation>
    </message>
    <message>
        <source>Conversation settings…</source>
        <translation>대화 설정…</translation>
    </message>
    <message>
        <source>Stop the answer (Esc)</source>
        <translation>답변 중지 (Esc)</translation>
    </message>
    <message>
        <source>%1 tokens/s</source>
        <translation>초당 %1토큰</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>대화</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>토큰 %n개</numerusform>
        </translation>
    </message>
    <message>
        <source>Edit and resend</source>
        <translation>고쳐서 다시 보내기</translation>
    </message>
    <message>
        <source>Question:</source>
        <translation>질문:</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>이름 바꾸기…</translation>
    </message>
    <message>
        <source>Rename chat</source>
        <translation>대화 이름 바꾸기</translation>
    </message>
    <message>
        <source>Title:</source>
        <translation>제목:</translation>
    </message>
    <message>
        <source>Delete chat</source>
        <translation>대화 삭제</translation>
    </message>
    <message>
        <source>Conversation settings</source>
        <translation>대화 설정</translation>
    </message>
    <message>
        <source>Use its own sampling settings (otherwise the defaults from Settings)</source>
        <translation>이 대화만의 샘플링 설정 사용 (끄면 설정의 기본값을 따름)</translation>
    </message>
    <message>
        <source>System prompt:</source>
        <translation>시스템 프롬프트:</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>삭제</translation>
    </message>
    <message>
        <source>Undo delete</source>
        <translation>삭제 취소</translation>
    </message>
    <message>
        <source>Chat “%1” deleted.</source>
        <translation>“%1” 대화를 삭제했습니다.</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>되돌리기</translation>
    </message>
    <message>
        <source>Bring the chat back (Ctrl+Z in the list)</source>
        <translation>대화를 되살립니다 (목록에서 Ctrl+Z)</translation>
    </message>
    <message>
        <source>Export as Markdown…</source>
        <translation>마크다운으로 내보내기…</translation>
    </message>
    <message>
        <source>Export as JSON…</source>
        <translation>JSON으로 내보내기…</translation>
    </message>
    <message>
        <source>Import chat…</source>
        <translation>대화 가져오기…</translation>
    </message>
    <message>
        <source>Markdown (*.md)</source>
        <translation>마크다운 (*.md)</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>Export chat</source>
        <translation>대화 내보내기</translation>
    </message>
    <message>
        <source>The chat could not be saved to %1: %2</source>
        <translation>대화를 %1에 저장할 수 없습니다: %2</translation>
    </message>
    <message>
        <source>Import chat</source>
        <translation>대화 가져오기</translation>
    </message>
    <message>
        <source>Exported chats (*.json);;All files (*)</source>
        <translation>내보낸 대화 (*.json);;모든 파일 (*)</translation>
    </message>
    <message>
        <source>%1 could not be read: %2</source>
        <translation>%1을(를) 읽을 수 없습니다: %2</translation>
    </message>
    <message>
        <source>%1 is too large to be an exported chat.</source>
        <translation>%1은(는) 내보낸 대화라고 보기에는 너무 큽니다.</translation>
    </message>
    <message>
        <source>%1 could not be imported: %2</source>
        <translation>%1을(를) 가져올 수 없습니다: %2</translation>
    </message>
    <message>
        <source>System prompt, sampling and reasoning for this conversation</source>
        <translation>이 대화의 시스템 프롬프트, 샘플링, 추론 설정</translation>
    </message>
    <message>
        <source>Chats</source>
        <translation>대화 목록</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>메시지</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>메시지 입력</translation>
    </message>
    <message>
        <source>Chat title</source>
        <translation>대화 제목</translation>
    </message>
    <message>
        <source>Tokens in the message</source>
        <translation>메시지의 토큰 수</translation>
    </message>
    <message>
        <source>Answer speed</source>
        <translation>답변 속도</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>시스템 프롬프트</translation>
    </message>
    <message>
        <source>Think before answering (reasoning models such as Qwen3)</source>
        <translation>답하기 전에 생각하기 (Qwen3 같은 추론 모델)</translation>
    </message>
    <message>
        <source>The model reasons first; the reasoning is shown folded above the answer. Off: it answers at once.</source>
        <translation>모델이 먼저 추론하고, 추론 내용은 답변 위에 접혀서 보입니다. 끄면 바로 답합니다.</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>대화</translation>
    </message>
    <message>
        <source>User</source>
        <translation>사용자</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>어시스턴트</translation>
    </message>
    <message>
        <source>System</source>
        <translation>시스템</translation>
    </message>
</context>
<context>
    <name>kmlm::ui::ChatView</name>
    <message>
        <source>Edit</source>
        <translation>고치기</translation>
    </message>
    <message>
        <source>Writing… %1 tokens/s</source>
        <translation>작성 중… 초당 %1토큰</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>토큰 %n개</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 tokens/s</source>
        <translation>초당 %1토큰</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>중지됨</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>실패</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>다시 생성</translation>
    </message>
    <message>
        <source>Plan a one-day walk through Seoul&apos;s palaces and markets</source>
        <translation>서울의 궁궐과 시장을 하루 동안 걸어서 둘러보는 일정을 짜 주세요</translation>
    </message>
    <message>
        <source>Explain when to use 은/는 and when 이/가, with examples</source>
        <translation>‘은/는’과 ‘이/가’를 언제 쓰는지 예문과 함께 설명해 주세요</translation>
    </message>
    <message>
        <source>Write a short, polite email declining a meeting</source>
        <translation>회의 참석을 정중하게 거절하는 짧은 이메일을 써 주세요</translation>
    </message>
    <message>
        <source>Summarize the main causes of climate change in three sentences</source>
        <translation>기후 변화의 주요 원인을 세 문장으로 요약해 주세요</translation>
    </message>
    <message>
        <source>What would you like to ask?</source>
        <translation>무엇을 물어볼까요?</translation>
    </message>
    <message>
        <source>No model is loaded yet.</source>
        <translation>아직 불러온 모델이 없습니다.</translation>
    </message>
    <message>
        <source>Answering: %1</source>
        <translation>답하는 모델: %1</translation>
    </message>
    <message>
        <source>This is the tiny built-in model: it writes Korean-like text but does not really understand questions. Add a real model for useful answers.</source>
        <translation>내장된 아주 작은 모델입니다. 한국어처럼 보이는 글을 쓰지만 질문을 제대로 이해하지는 못합니다. 쓸모 있는 답을 얻으려면 실제 모델을 추가하세요.</translation>
    </message>
    <message>
        <source>Answers are generated on this computer.</source>
        <translation>답변은 이 컴퓨터에서 만들어집니다.</translation>
    </message>
    <message>
        <source>Choose a model…</source>
        <translation>모델 고르기…</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>도우미</translation>
    </message>
    <message>
        <source>Reasoning…</source>
        <translation>추론 중…</translation>
    </message>
    <message>
        <source>Reasoning</source>
        <translation>추론 과정</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>복사</translation>
    </message>
</context>
<context>
    <name>kmlm::ui::Composer</name>
    <message>
        <source>Type a message. Enter sends, Shift+Enter starts a new line.</source>
        <translation>메시지를 입력하세요. Enter는 보내기, Shift+Enter는 줄 바꿈입니다.</translation>
    </message>
</context>
<context>
    <name>kmlm::ui::EditorPage</name>
    <message>
        <source>Write here. When you pause, the model proposes how to go on.</source>
        <translation>여기에 글을 쓰세요. 잠시 멈추면 모델이 이어질 내용을 제안합니다.</translation>
    </message>
    <message>
        <source>Tab: accept · Ctrl+→: accept a word · Esc: dismiss</source>
        <translation>Tab: 받아들이기 · Ctrl+→: 한 단어만 · Esc: 닫기</translation>
    </message>
    <message>
        <source>New</source>
        <translation>새 문서</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>열기…</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>저장</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>다른 이름으로 저장…</translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation>제목 없음</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>저장하지 않은 변경 사항</translation>
    </message>
    <message>
        <source>The document “%1” has unsaved changes. Save them?</source>
        <translation>“%1” 문서에 저장하지 않은 변경 사항이 있습니다. 저장할까요?</translation>
    </message>
    <message>
        <source>Open document</source>
        <translation>문서 열기</translation>
    </message>
    <message>
        <source>Text and Markdown (*.txt *.md *.markdown);;All files (*)</source>
        <translation>텍스트와 마크다운 (*.txt *.md *.markdown);;모든 파일 (*)</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>%1 파일을 열 수 없습니다: %2</translation>
    </message>
    <message>
        <source>Save document</source>
        <translation>문서 저장</translation>
    </message>
    <message>
        <source>Cannot save %1: %2</source>
        <translation>%1 파일을 저장할 수 없습니다: %2</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>문서</translation>
    </message>
</context>
<context>
    <name>kmlm::ui::FirstRunOffer</name>
    <message>
        <source>The built-in model is only a tiny demonstration</source>
        <translation>기본 제공 모델은 아주 작은 시연용 모델일 뿐입니다</translation>
    </message>
    <message>
        <source>Not now</source>
        <translation>나중에</translation>
    </message>
    <message>
        <source>Don&apos;t show again</source>
        <translation>다시 보지 않기</translation>
    </message>
    <message>
        <source>Korean Mini LM comes with a tiny jamo-level GRU (under a million parameters) so that it works without a download, but it cannot really answer questions. %1 by %2 fits this computer: a %3 download, about %4 of memory with a %5-token context (ceiling %6). %7</source>
        <translation>Korean Mini LM에는 내려받지 않아도 바로 쓸 수 있도록 자모 단위의 아주 작은 GRU(매개변수 100만 개 미만)가 들어 있지만, 질문에 제대로 답하지는 못합니다. %2의 %1은(는) 이 컴퓨터에 맞습니다: 내려받기 %3, 문맥 %5 토큰에서 메모리 약 %4 (상한 %6). %7</translation>
    </message>
    <message>
        <source>none</source>
        <translation>없음</translation>
    </message>
    <message>
        <source>Resume download</source>
        <translation>내려받기 계속</translation>
    </message>
    <message>
        <source>Download %1 (%2)</source>
        <translation>%1 내려받기 (%2)</translation>
    </message>
    <message>
        <source>Use %1</source>
        <translation>%1 사용하기</translation>
    </message>
</context>
<context>
    <name>kmlm::ui::MainWindow</name>
    <message>
        <source>Chat</source>
        <translation>대화</translation>
    </message>
    <message>
        <source>Editor</source>
        <translation>편집기</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>파일(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;New chat</source>
        <translation>새 대화(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Open document…</source>
        <translation>문서 열기(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Save document</source>
        <translation>문서 저장(&amp;S)</translation>
    </message>
    <message>
        <source>Save document &amp;as…</source>
        <translation>다른 이름으로 문서 저장(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>끝내기(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Chat</source>
        <translation>대화(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Search chats</source>
        <translation>대화 검색(&amp;S)</translation>
    </message>
    <message>
        <source>S&amp;top answer</source>
        <translation>답변 중지(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Regenerate answer</source>
        <translation>답변 다시 생성(&amp;R)</translation>
    </message>
    <message>
        <source>Conversation &amp;settings…</source>
        <translation>대화 설정(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>설정(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>설정(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>도움말(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About Korean Mini LM</source>
        <translation>한국어 미니 LM 정보(&amp;A)</translation>
    </message>
    <message>
        <source>No model</source>
        <translation>모델 없음</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>%1 불러오는 중…</translation>
    </message>
    <message>
        <source>No model found: put a GGUF file in the models folder (Settings).</source>
        <translation>모델이 없습니다. 모델 폴더에 GGUF 파일을 넣어 주세요 (설정).</translation>
    </message>
    <message>
        <source>Model: %1 (%2, %3)</source>
        <translation>모델: %1 (%2, %3)</translation>
    </message>
    <message>
        <source>no model is loaded</source>
        <translation>불러온 모델이 없습니다</translation>
    </message>
    <message>
        <source>%1 is used now</source>
        <translation>지금은 %1 모델을 사용합니다</translation>
    </message>
    <message>
        <source>Model not loaded</source>
        <translation>모델을 불러오지 못함</translation>
    </message>
    <message>
        <source>The model could not be loaded: %1

Instead, %2.</source>
        <translation>모델을 불러올 수 없습니다: %1

대신 %2.</translation>
    </message>
    <message>
        <source>About Korean Mini LM</source>
        <translation>한국어 미니 LM 정보</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Korean Mini LM %1&lt;/h3&gt;&lt;p&gt;An offline Korean chat assistant and completion editor. Everything runs on this computer; nothing is sent anywhere.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;한국어 미니 LM %1&lt;/h3&gt;&lt;p&gt;인터넷 없이 동작하는 한국어 대화 도우미이자 자동 완성 편집기입니다. 모든 처리가 이 컴퓨터 안에서 이루어지며, 어떤 내용도 밖으로 보내지 않습니다.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Korean Mini LM</source>
        <translation>한국어 미니 LM</translation>
    </message>
    <message>
        <source>Export as &amp;Markdown…</source>
        <translation>마크다운으로 내보내기(&amp;M)…</translation>
    </message>
    <message>
        <source>Export as &amp;JSON…</source>
        <translation>JSON으로 내보내기(&amp;J)…</translation>
    </message>
    <message>
        <source>&amp;Import chat…</source>
        <translation>대화 가져오기(&amp;I)…</translation>
    </message>
    <message>
        <source>Chat and editor</source>
        <translation>대화와 편집기</translation>
    </message>
    <message>
        <source>Active model</source>
        <translation>사용 중인 모델</translation>
    </message>
    <message>
        <source>Loading the model</source>
        <translation>모델 불러오기 진행률</translation>
    </message>
    <message>
        <source>Local API server</source>
        <translation>로컬 API 서버</translation>
    </message>
    <message>
        <source>API server: off</source>
        <translation>API 서버: 꺼짐</translation>
    </message>
    <message>
        <source>The local API server is off (Settings, Engine).</source>
        <translation>로컬 API 서버가 꺼져 있습니다 (설정, 엔진).</translation>
    </message>
    <message>
        <source>API server: 127.0.0.1:%1, %2 served</source>
        <translation>API 서버: 127.0.0.1:%1, %2건 응답</translation>
    </message>
    <message>
        <source>Programs on this computer reach the active model at http://127.0.0.1:%1/v1; requests answered since the server started: %2.</source>
        <translation>이 컴퓨터의 프로그램은 http://127.0.0.1:%1/v1 에서 사용 중인 모델을 쓸 수 있습니다. 서버를 켠 뒤 응답한 요청: %2건.</translation>
    </message>
    <message>
        <source>API server: port %1 is taken</source>
        <translation>API 서버: 포트 %1을(를) 이미 사용 중</translation>
    </message>
    <message>
        <source>The local API server could not start: %1. Choose another port in Settings, Engine.</source>
        <translation>로컬 API 서버를 시작하지 못했습니다: %1. 설정의 엔진 페이지에서 다른 포트를 고르세요.</translation>
    </message>
    <message>
        <source>Model: %1 (remote, %2)</source>
        <translation>모델: %1 (원격, %2)</translation>
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
        <translation>메모리: 아직 측정값 없음</translation>
    </message>
    <message>
        <source>Memory meter</source>
        <translation>메모리 사용량</translation>
    </message>
    <message>
        <source>Memory: %1 of the %2 ceiling (%3%)</source>
        <translation>메모리: 한도 %2 중 %1 사용 (%3%)</translation>
    </message>
    <message>
        <source>Memory: %1 (no ceiling)</source>
        <translation>메모리: %1 (한도 없음)</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>모델: %1</translation>
    </message>
    <message>
        <source>KV cache: %1</source>
        <translation>KV 캐시: %1</translation>
    </message>
    <message>
        <source>Application: %1</source>
        <translation>프로그램: %1</translation>
    </message>
    <message numerus="yes">
        <source>Peak of the last %n sample(s): %1</source>
        <translation>
            <numerusform>최근 %n회 측정 중 최고: %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>kmlm::ui::RemoteModelDialog</name>
    <message>
        <source>&amp;List models</source>
        <translation>모델 목록(&amp;L)</translation>
    </message>
    <message>
        <source>Add remote model</source>
        <translation>원격 모델 추가</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>서버 주소</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>선택 사항</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API 키</translation>
    </message>
    <message>
        <source>Model on the server</source>
        <translation>서버의 모델</translation>
    </message>
    <message>
        <source>A server with an OpenAI-compatible API: kmlm serve, llama.cpp&apos;s server, Ollama or vLLM. The questions of chats on this model are sent to it. The key is stored readable by you alone, never in the settings file.</source>
        <translation>OpenAI 호환 API를 제공하는 서버입니다: kmlm serve, llama.cpp 서버, Ollama, vLLM. 이 모델로 나누는 대화의 질문은 그 서버로 보내집니다. 키는 본인만 읽을 수 있게 저장되며 설정 파일에는 들어가지 않습니다.</translation>
    </message>
    <message>
        <source>Server &amp;address:</source>
        <translation>서버 주소(&amp;A):</translation>
    </message>
    <message>
        <source>API &amp;key:</source>
        <translation>API 키(&amp;K):</translation>
    </message>
    <message>
        <source>&amp;Model:</source>
        <translation>모델(&amp;M):</translation>
    </message>
    <message>
        <source>Asking the server for its models…</source>
        <translation>서버에 모델 목록을 묻는 중…</translation>
    </message>
    <message>
        <source>The server lists no models.</source>
        <translation>서버에 모델이 없습니다.</translation>
    </message>
    <message numerus="yes">
        <source>%n model(s) on the server: choose one.</source>
        <translation>
            <numerusform>서버의 모델 %n개: 하나를 고르세요.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>kmlm::ui::SamplingEditor</name>
    <message>
        <source>0 (always the likeliest token)</source>
        <translation>0 (항상 가장 가능성 높은 토큰)</translation>
    </message>
    <message>
        <source>off</source>
        <translation>끔</translation>
    </message>
    <message>
        <source>random</source>
        <translation>무작위</translation>
    </message>
    <message>
        <source>&amp;Temperature:</source>
        <translation>온도(&amp;T):</translation>
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
        <translation>반복 벌점(&amp;R):</translation>
    </message>
    <message>
        <source>P&amp;resence penalty:</source>
        <translation>등장 벌점(&amp;E):</translation>
    </message>
    <message>
        <source>Maximum &amp;answer length (tokens):</source>
        <translation>최대 답변 길이(토큰)(&amp;A):</translation>
    </message>
    <message>
        <source>&amp;Seed:</source>
        <translation>시드(&amp;S):</translation>
    </message>
</context>
<context>
    <name>kmlm::ui::SettingsDialog</name>
    <message>
        <source>%1 GB</source>
        <translation>%1GB</translation>
    </message>
    <message>
        <source>%1 MB</source>
        <translation>%1MB</translation>
    </message>
    <message>
        <source>%1 KB</source>
        <translation>%1KB</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>설정</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>모델</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>엔진</translation>
    </message>
    <message>
        <source>Generation</source>
        <translation>생성</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>화면</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>모델</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>구조</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>매개변수</translation>
    </message>
    <message>
        <source>Quantization</source>
        <translation>양자화</translation>
    </message>
    <message>
        <source>File size</source>
        <translation>파일 크기</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>문맥 길이</translation>
    </message>
    <message>
        <source>Memory estimate</source>
        <translation>예상 메모리</translation>
    </message>
    <message>
        <source>Use this model</source>
        <translation>이 모델 사용</translation>
    </message>
    <message>
        <source>Add model file…</source>
        <translation>모델 파일 추가…</translation>
    </message>
    <message>
        <source>Open models folder</source>
        <translation>모델 폴더 열기</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>새로 고침</translation>
    </message>
    <message>
        <source>Models folder: %1</source>
        <translation>모델 폴더: %1</translation>
    </message>
    <message>
        <source>Add model file</source>
        <translation>모델 파일 추가</translation>
    </message>
    <message>
        <source>%1 is not a usable model: %2</source>
        <translation>%1 파일은 사용할 수 있는 모델이 아닙니다: %2</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>%1 불러오는 중…</translation>
    </message>
    <message>
        <source>Active model: %1</source>
        <translation>사용 중인 모델: %1</translation>
    </message>
    <message>
        <source>Loading failed: %1</source>
        <translation>불러오기 실패: %1</translation>
    </message>
    <message>
        <source>%1 (bundled)</source>
        <translation>%1 (기본 제공)</translation>
    </message>
    <message>
        <source>%1 — active</source>
        <translation>%1 — 사용 중</translation>
    </message>
    <message>
        <source>unreadable: %1</source>
        <translation>읽을 수 없음: %1</translation>
    </message>
    <message>
        <source>unbounded</source>
        <translation>제한 없음</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>알 수 없음</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 모델 (*.gguf);;모든 파일 (*)</translation>
    </message>
    <message>
        <source>all cores (%1)</source>
        <translation>모든 코어 (%1개)</translation>
    </message>
    <message>
        <source> tokens</source>
        <translation> 토큰</translation>
    </message>
    <message>
        <source>8-bit (Q8_0, half the memory)</source>
        <translation>8비트 (Q8_0, 메모리 절반)</translation>
    </message>
    <message>
        <source>16-bit (F16, exact)</source>
        <translation>16비트 (F16, 정확)</translation>
    </message>
    <message>
        <source>Changes take effect when the model is loaded again (done on OK).</source>
        <translation>바뀐 설정은 모델을 다시 불러올 때 적용됩니다 (확인을 누르면 다시 불러옵니다).</translation>
    </message>
    <message>
        <source>&amp;Threads:</source>
        <translation>스레드(&amp;T):</translation>
    </message>
    <message>
        <source>&amp;Context length:</source>
        <translation>문맥 길이(&amp;C):</translation>
    </message>
    <message>
        <source>&amp;KV cache:</source>
        <translation>KV 캐시(&amp;K):</translation>
    </message>
    <message>
        <source>For example: 당신은 친절한 한국어 도우미입니다.</source>
        <translation>예: 당신은 친절한 한국어 도우미입니다.</translation>
    </message>
    <message>
        <source>System</source>
        <translation>시스템 설정</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>밝게</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>어둡게</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>시스템 언어</translation>
    </message>
    <message>
        <source>system</source>
        <translation>시스템 설정</translation>
    </message>
    <message>
        <source> pt</source>
        <translation>pt</translation>
    </message>
    <message>
        <source>&amp;Theme:</source>
        <translation>테마(&amp;T):</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>언어(&amp;L):</translation>
    </message>
    <message>
        <source>&amp;Font size:</source>
        <translation>글자 크기(&amp;F):</translation>
    </message>
    <message>
        <source>Installed models</source>
        <translation>설치된 모델</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>내려받기</translation>
    </message>
    <message>
        <source>Models to download</source>
        <translation>내려받을 모델</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>일시 정지</translation>
    </message>
    <message>
        <source>Cancel download</source>
        <translation>내려받기 취소</translation>
    </message>
    <message>
        <source>Memory at %1 tokens</source>
        <translation>%1 토큰에서 메모리</translation>
    </message>
    <message>
        <source>Under the ceiling</source>
        <translation>상한 이내</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>상태</translation>
    </message>
    <message>
        <source>%1 (not supported yet)</source>
        <translation>%1 (아직 지원 안 됨)</translation>
    </message>
    <message>
        <source>fits</source>
        <translation>들어감</translation>
    </message>
    <message>
        <source>does not fit</source>
        <translation>넘침</translation>
    </message>
    <message>
        <source>installed</source>
        <translation>설치됨</translation>
    </message>
    <message>
        <source>%1%</source>
        <translation>%1%</translation>
    </message>
    <message>
        <source>paused at %1%</source>
        <translation>%1%에서 일시 정지</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>실패</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>대기 중</translation>
    </message>
    <message>
        <source>Choose a model and one of its quantizations: the list shows how much memory each needs with the context and KV cache of the Engine page, before anything is downloaded.</source>
        <translation>모델과 양자화 하나를 고르세요. 목록은 엔진 페이지의 문맥 길이와 KV 캐시로 각각 메모리가 얼마나 필요한지 내려받기 전에 보여 줍니다.</translation>
    </message>
    <message>
        <source>Publisher</source>
        <translation>만든 곳</translation>
    </message>
    <message>
        <source>License</source>
        <translation>라이선스</translation>
    </message>
    <message>
        <source>Use</source>
        <translation>용도</translation>
    </message>
    <message>
        <source>File</source>
        <translation>파일</translation>
    </message>
    <message>
        <source>This version of the engine cannot run %1 models yet; the memory figures show what it will need.</source>
        <translation>이 버전의 엔진은 아직 %1 모델을 실행하지 못합니다. 메모리 수치는 앞으로 필요할 양입니다.</translation>
    </message>
    <message>
        <source>A gated model: it needs a Hugging Face token (Engine page).</source>
        <translation>접근이 제한된 모델입니다: Hugging Face 토큰이 필요합니다(엔진 페이지).</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>계속</translation>
    </message>
    <message>
        <source>Choose a model to see its details.</source>
        <translation>자세한 내용을 보려면 모델을 고르세요.</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>문제</translation>
    </message>
    <message>
        <source>Vocabulary</source>
        <translation>어휘</translation>
    </message>
    <message>
        <source>%1 (weights %2, KV cache %3) at %4 tokens</source>
        <translation>%4 토큰에서 %1 (가중치 %2, KV 캐시 %3)</translation>
    </message>
    <message>
        <source>Ceiling</source>
        <translation>상한</translation>
    </message>
    <message>
        <source>fits under %1</source>
        <translation>%1 이내에 들어감</translation>
    </message>
    <message>
        <source>does not fit under %1</source>
        <translation>%1을(를) 넘음</translation>
    </message>
    <message>
        <source>The built-in model is a tiny demonstration model: it writes Korean-looking text but cannot really answer. Download a real model below.</source>
        <translation>기본 제공 모델은 아주 작은 시연용 모델입니다: 한국어처럼 보이는 글을 쓰지만 제대로 답하지는 못합니다. 아래에서 실제 모델을 내려받으세요.</translation>
    </message>
    <message>
        <source> GiB</source>
        <translation> GiB</translation>
    </message>
    <message>
        <source>no ceiling</source>
        <translation>상한 없음</translation>
    </message>
    <message>
        <source>hf_… (only for gated models)</source>
        <translation>hf_… (접근이 제한된 모델에만)</translation>
    </message>
    <message>
        <source>Performance</source>
        <translation>성능</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>메모리</translation>
    </message>
    <message>
        <source>Memory &amp;ceiling:</source>
        <translation>메모리 상한(&amp;C):</translation>
    </message>
    <message>
        <source>The whole application stays under the ceiling: a model that would not fit is refused before it loads, and an answer stops before memory runs out. Default %1.</source>
        <translation>프로그램 전체가 상한 안에서 동작합니다: 들어가지 않는 모델은 불러오기 전에 거부되고, 답변은 메모리가 바닥나기 전에 멈춥니다. 기본값 %1.</translation>
    </message>
    <message>
        <source>Hugging Face</source>
        <translation>Hugging Face</translation>
    </message>
    <message>
        <source>Access &amp;token:</source>
        <translation>접근 토큰(&amp;T):</translation>
    </message>
    <message>
        <source>Needed only for gated models (such as Google&apos;s own Gemma repositories). It is stored with your settings, readable by you alone, and sent only to Hugging Face.</source>
        <translation>접근이 제한된 모델(구글의 공식 Gemma 저장소 등)에만 필요합니다. 설정과 함께 본인만 읽을 수 있게 저장되며 Hugging Face에만 보냅니다.</translation>
    </message>
    <message>
        <source>System prompt of new conversations</source>
        <translation>새 대화의 시스템 프롬프트</translation>
    </message>
    <message>
        <source>Sampling defaults (a conversation can have its own)</source>
        <translation>샘플링 기본값 (대화마다 따로 정할 수도 있습니다)</translation>
    </message>
    <message>
        <source>Waiting for the download before it</source>
        <translation>앞의 내려받기를 기다리는 중</translation>
    </message>
    <message>
        <source>Connecting to Hugging Face…</source>
        <translation>Hugging Face에 연결하는 중…</translation>
    </message>
    <message>
        <source>Downloading: %1% (%2 of %3)</source>
        <translation>내려받는 중: %1% (%3 중 %2)</translation>
    </message>
    <message>
        <source>, %1/s</source>
        <translation>, 초당 %1</translation>
    </message>
    <message>
        <source>, %1 min left</source>
        <translation>, %1분 남음</translation>
    </message>
    <message>
        <source>, %1 s left</source>
        <translation>, %1초 남음</translation>
    </message>
    <message>
        <source>Checking the SHA-256…</source>
        <translation>SHA-256 확인 중…</translation>
    </message>
    <message>
        <source>Paused at %1% (%2 of %3)</source>
        <translation>%1%에서 일시 정지 (%3 중 %2)</translation>
    </message>
    <message>
        <source>Downloaded and verified</source>
        <translation>내려받고 확인함</translation>
    </message>
    <message>
        <source>Downloaded</source>
        <translation>내려받음</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>실패: %1</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>취소됨</translation>
    </message>
    <message>
        <source>Add remote model…</source>
        <translation>원격 모델 추가…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>제거</translation>
    </message>
    <message>
        <source>Forgets the remote model and its API key</source>
        <translation>원격 모델과 그 API 키를 지웁니다</translation>
    </message>
    <message>
        <source>%1 — remote, active</source>
        <translation>%1 — 원격, 사용 중</translation>
    </message>
    <message>
        <source>%1 — remote</source>
        <translation>%1 — 원격</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>서버</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API 키</translation>
    </message>
    <message>
        <source>none</source>
        <translation>없음</translation>
    </message>
    <message>
        <source>stored, readable by you alone</source>
        <translation>저장됨, 본인만 읽을 수 있음</translation>
    </message>
    <message>
        <source>A model on another server: the questions of its chats are sent there, and it uses no memory here.</source>
        <translation>다른 서버의 모델입니다: 이 모델과의 대화 질문은 그 서버로 보내지며, 이 컴퓨터의 메모리는 쓰지 않습니다.</translation>
    </message>
    <message>
        <source>Local API server</source>
        <translation>로컬 API 서버</translation>
    </message>
    <message>
        <source>&amp;Serve the active model to programs on this computer (OpenAI-compatible API)</source>
        <translation>이 컴퓨터의 프로그램에 사용 중인 모델 제공(&amp;S) (OpenAI 호환 API)</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>포트</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>선택 사항</translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation>포트(&amp;P):</translation>
    </message>
    <message>
        <source>API &amp;key:</source>
        <translation>API 키(&amp;K):</translation>
    </message>
    <message>
        <source>Loopback only: the server listens on 127.0.0.1, so only programs on this computer can reach it, at http://127.0.0.1:%1/v1. It answers with the model of the chat window, taking turns with the chat and the editor. With a key, clients send &quot;Authorization: Bearer KEY&quot;.</source>
        <translation>루프백 전용: 서버는 127.0.0.1에서만 기다리므로 이 컴퓨터의 프로그램만 http://127.0.0.1:%1/v1 로 접속할 수 있습니다. 대화 창의 모델로 답하며, 대화·편집기와 차례대로 엔진을 나눠 씁니다. 키를 정하면 클라이언트는 &quot;Authorization: Bearer KEY&quot;를 보내야 합니다.</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Korean Mini LM</source>
        <translation>한국어 미니 LM</translation>
    </message>
    <message>
        <source>The chat history %1 cannot be opened: %2</source>
        <translation>대화 기록 %1을(를) 열 수 없습니다: %2</translation>
    </message>
</context>
</TS>
