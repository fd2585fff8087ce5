<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko_KR">
<context>
    <name>ChatPage</name>
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
</context>
<context>
    <name>ChatSession</name>
    <message>
        <source>An answer is still being written.</source>
        <translation>아직 답변을 쓰는 중입니다.</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
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
    <name>Composer</name>
    <message>
        <source>Type a message. Enter sends, Shift+Enter starts a new line.</source>
        <translation>메시지를 입력하세요. Enter는 보내기, Shift+Enter는 줄 바꿈입니다.</translation>
    </message>
</context>
<context>
    <name>ConversationListModel</name>
    <message>
        <source>New chat</source>
        <translation>새 대화</translation>
    </message>
</context>
<context>
    <name>EditorPage</name>
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
    <name>EngineWorker</name>
    <message>
        <source>Could not load the model %1: %2</source>
        <translation>모델 %1을(를) 불러올 수 없습니다: %2</translation>
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
</context>
<context>
    <name>MainWindow</name>
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
</context>
<context>
    <name>Markdown</name>
    <message>
        <source>Copy</source>
        <translation>복사</translation>
    </message>
</context>
<context>
    <name>MemoryMeterWidget</name>
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
    <name>SamplingEditor</name>
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
    <name>SettingsDialog</name>
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
        <source>System prompt of new conversations:</source>
        <translation>새 대화의 시스템 프롬프트:</translation>
    </message>
    <message>
        <source>Sampling defaults (a conversation can have its own):</source>
        <translation>샘플링 기본값 (대화마다 따로 정할 수도 있습니다):</translation>
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
