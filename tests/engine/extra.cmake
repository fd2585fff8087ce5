# The fuzz targets' bodies, replayed on fuzz/regressions by tst_fuzz_regressions.
target_sources(engine_tst_fuzz_regressions PRIVATE ${PROJECT_SOURCE_DIR}/fuzz/targets.cpp)
target_include_directories(engine_tst_fuzz_regressions PRIVATE ${PROJECT_SOURCE_DIR}/fuzz)
target_compile_definitions(engine_tst_fuzz_regressions PRIVATE KMLM_FUZZ_REGRESSIONS="${PROJECT_SOURCE_DIR}/fuzz/regressions")
