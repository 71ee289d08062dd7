import fastnet


def test_get_num_threads(benchmark):
    benchmark(fastnet.get_num_threads)
