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
