# Installs the build into PREFIX and checks the files of the desktop app are there.
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX}
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${rc})")
endif()
set(expected
    bin/korean-mini-lm
    share/applications/io.github.kmlm.KoreanMiniLM.desktop
    share/metainfo/io.github.kmlm.KoreanMiniLM.metainfo.xml
    share/icons/hicolor/scalable/apps/io.github.kmlm.KoreanMiniLM.svg
    share/icons/hicolor/48x48/apps/io.github.kmlm.KoreanMiniLM.png
    share/icons/hicolor/256x256/apps/io.github.kmlm.KoreanMiniLM.png
    share/korean-mini-lm/translations/kmlm_ko.qm
    share/korean-mini-lm/translations/kmlm_en.qm)
if(EXISTS ${SOURCE_DIR}/resources/models/kmlm-gru-ko.gguf)
  list(APPEND expected share/korean-mini-lm/models/kmlm-gru-ko.gguf)
endif()
foreach(f IN LISTS expected)
  if(NOT EXISTS ${PREFIX}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
message(STATUS "installed: ${expected}")
