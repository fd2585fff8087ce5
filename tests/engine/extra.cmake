# tst_real_model measures the perplexity of every shared llama.cpp file over the whole text
# (a minute or more each on a loaded 2-core machine).
if(TEST engine/tst_real_model)
  set_tests_properties(engine/tst_real_model PROPERTIES TIMEOUT 1800)
endif()
# The fuzz targets' bodies, replayed on fuzz/regressions by tst_fuzz_regressions.
target_sources(engine_tst_fuzz_regressions PRIVATE ${PROJECT_SOURCE_DIR}/fuzz/targets.cpp)
target_include_directories(engine_tst_fuzz_regressions PRIVATE ${PROJECT_SOURCE_DIR}/fuzz)
target_compile_definitions(engine_tst_fuzz_regressions PRIVATE KMLM_FUZZ_REGRESSIONS="${PROJECT_SOURCE_DIR}/fuzz/regressions")
