# `cmake --install` into a scratch prefix puts the desktop app's files where desktops look.
if(TARGET korean-mini-lm)
  add_test(NAME ui/install
           COMMAND ${CMAKE_COMMAND} -DBUILD_DIR=${CMAKE_BINARY_DIR} -DPREFIX=${CMAKE_BINARY_DIR}/test-output/install
                   -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -P ${CMAKE_CURRENT_LIST_DIR}/check_install.cmake)
  set_tests_properties(ui/install PROPERTIES LABELS ui TIMEOUT 300)
endif()
