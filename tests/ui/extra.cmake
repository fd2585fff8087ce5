# `cmake --install` into a scratch prefix puts the desktop app's files where desktops look.
if(TARGET korean-mini-lm)
  add_test(NAME ui/install
           COMMAND ${CMAKE_COMMAND} -DBUILD_DIR=${CMAKE_BINARY_DIR} -DPREFIX=${CMAKE_BINARY_DIR}/test-output/install
                   -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -P ${CMAKE_CURRENT_LIST_DIR}/check_install.cmake)
  set_tests_properties(ui/install PROPERTIES LABELS ui TIMEOUT 300)
endif()

# The screenshots again at 150 % (QT_SCALE_FACTOR=1.5): files named "...-1.5x.png".
if(TARGET ui_tst_screenshots)
  add_test(NAME ui/tst_screenshots_1.5x COMMAND ui_tst_screenshots)
  set_tests_properties(ui/tst_screenshots_1.5x PROPERTIES LABELS ui TIMEOUT 600
      ENVIRONMENT "QT_QPA_PLATFORM=offscreen;QT_SCALE_FACTOR=1.5;KMLM_TEST_OUTPUT=${CMAKE_BINARY_DIR}/test-output")
endif()

# tst_remoteui starts `kmlm serve` and talks to the app's API server with Qt Network; its
# screenshot of a chat on a remote model again at 150 % ("chat-remote-1.5x.png").
if(TARGET ui_tst_remoteui)
  target_link_libraries(ui_tst_remoteui PRIVATE Qt::Network)
  add_dependencies(ui_tst_remoteui kmlm)
  add_test(NAME ui/tst_remoteui_1.5x COMMAND ui_tst_remoteui screenshot)
  set_tests_properties(ui/tst_remoteui_1.5x PROPERTIES LABELS ui TIMEOUT 600
      ENVIRONMENT "QT_QPA_PLATFORM=offscreen;QT_SCALE_FACTOR=1.5;KMLM_BIN=$<TARGET_FILE:kmlm>;KMLM_TEST_OUTPUT=${CMAKE_BINARY_DIR}/test-output")
endif()
