include_guard(GLOBAL)
# Chooses the Qt major version. "auto" prefers the Qt for which KSyntaxHighlighting is
# installed (Qt 6 when both are), because code-block highlighting needs it.
# Sets KMLM_QT_MAJOR and KMLM_HAVE_KSYNTAXHIGHLIGHTING; Qt targets are used versionless (Qt::Core).

set(_kmlm_qt_components Core Gui Widgets Sql Test Concurrent Network LinguistTools)

if(KMLM_QT STREQUAL "auto")
  find_package(KF6SyntaxHighlighting QUIET)
  if(KF6SyntaxHighlighting_FOUND)
    set(KMLM_QT_MAJOR 6)
  else()
    find_package(KF5SyntaxHighlighting QUIET)
    if(KF5SyntaxHighlighting_FOUND)
      set(KMLM_QT_MAJOR 5)
    else()
      set(KMLM_QT_MAJOR 6)
    endif()
  endif()
elseif(KMLM_QT STREQUAL "5" OR KMLM_QT STREQUAL "6")
  set(KMLM_QT_MAJOR ${KMLM_QT})
else()
  message(FATAL_ERROR "KMLM_QT must be auto, 5 or 6 (got '${KMLM_QT}')")
endif()

if(KMLM_QT_MAJOR EQUAL 5)
  find_package(Qt5 5.15 REQUIRED COMPONENTS ${_kmlm_qt_components})
else()
  find_package(Qt6 6.4 REQUIRED COMPONENTS ${_kmlm_qt_components})
endif()

find_package(KF${KMLM_QT_MAJOR}SyntaxHighlighting QUIET)
if(KF${KMLM_QT_MAJOR}SyntaxHighlighting_FOUND)
  set(KMLM_HAVE_KSYNTAXHIGHLIGHTING ON)
  add_library(kmlm_ksyntaxhighlighting INTERFACE)
  target_link_libraries(kmlm_ksyntaxhighlighting INTERFACE KF${KMLM_QT_MAJOR}::SyntaxHighlighting)
  target_compile_definitions(kmlm_ksyntaxhighlighting INTERFACE KMLM_HAVE_KSYNTAXHIGHLIGHTING=1)
else()
  set(KMLM_HAVE_KSYNTAXHIGHLIGHTING OFF)
  add_library(kmlm_ksyntaxhighlighting INTERFACE)
endif()

message(STATUS "Korean Mini LM: Qt ${KMLM_QT_MAJOR}, KSyntaxHighlighting: ${KMLM_HAVE_KSYNTAXHIGHLIGHTING}")
