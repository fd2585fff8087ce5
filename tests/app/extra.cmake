# tst_chatcrash kills this helper with SIGKILL while it streams answers into a chat database.
add_executable(app_chat_stream_writer ${CMAKE_CURRENT_SOURCE_DIR}/app/chat_stream_writer.cpp)
set_target_properties(app_chat_stream_writer PROPERTIES AUTOMOC ON)
target_link_libraries(app_chat_stream_writer PRIVATE kmlm_appcore)
if(TARGET app_tst_chatcrash)
  add_dependencies(app_tst_chatcrash app_chat_stream_writer)
  target_compile_definitions(app_tst_chatcrash PRIVATE KMLM_STREAM_WRITER="$<TARGET_FILE:app_chat_stream_writer>")
endif()
# tst_download runs `kmlm pull` (and kills it with SIGKILL) against its loopback hub.
if(TARGET app_tst_download)
  add_dependencies(app_tst_download kmlm)
endif()
# tst_apiserver talks to the app's API server with Qt Network.
if(TARGET app_tst_apiserver)
  target_link_libraries(app_tst_apiserver PRIVATE Qt::Network)
endif()
