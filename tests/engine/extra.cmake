# tst_real_model measures the perplexity of every shared llama.cpp file over the whole text
# (a minute or more each on a loaded 2-core machine).
if(TEST engine/tst_real_model)
  set_tests_properties(engine/tst_real_model PROPERTIES TIMEOUT 1800)
endif()
