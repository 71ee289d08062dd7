"""Turn a pytest-benchmark JSON file into the tables the README shows.

    OMP_NUM_THREADS=1 pytest benchmarks --benchmark-json=bench.json
    python benchmarks/report.py bench.json

For each group: every implementation's median, its speed relative to the
group's baseline (numpy unless the group says otherwise), and the GFLOP/s or
GB/s a benchmark recorded in extra_info.
"""

import argparse
import json
from collections import defaultdict

BASELINES = ("numpy", "numpy_f64", "book-f64", "book_f64", "book", "reference", "cupy-matmul",
             "torch-cuda")


def _impl(bench):
    """The implementation: extra_info["impl"], the `impl` parameter, or the test's name."""
    params = bench.get("params") or {}
    impl = bench.get("extra_info", {}).get("impl") or params.get("impl")
    return str(impl or bench["name"].split("[")[0].removeprefix("test_"))


def _label(bench):
    """The implementation, plus the parameters the group's title does not already say."""
    group_words = set((bench.get("group") or "").split())
    params = dict(bench.get("params") or {})
    params.pop("impl", None)
    rest = ", ".join(
        f"{k}={v}" for k, v in params.items()
        if not str(v).startswith("UNSERIALIZABLE") and str(v) not in group_words
    )
    return f"{_impl(bench)}" + (f" ({rest})" if rest else "")


def _baseline(rows):
    for name in BASELINES:
        for bench in rows:
            if _impl(bench) == name:
                return bench
    return None


def _format_time(seconds):
    for unit, scale in (("s", 1), ("ms", 1e3), ("µs", 1e6)):
        if seconds * scale >= 1:
            return f"{seconds * scale:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"


def report(path):
    with open(path) as f:
        data = json.load(f)
    groups = defaultdict(list)
    for bench in data["benchmarks"]:
        groups[bench.get("group") or "(no group)"].append(bench)
    out = []
    info = data.get("machine_info", {})
    out.append(f"machine: {info.get('cpu', {}).get('brand_raw', '?')}; "
               f"fastnet: {info.get('fastnet')}; blas: {info.get('blas')}")
    for group, rows in sorted(groups.items()):
        base = _baseline(rows)
        out.append(f"\n### {group}\n")
        out.append("| implementation | median | vs " + (_impl(base) if base else "-")
                   + " | throughput |")
        out.append("|---|---|---|---|")
        for bench in sorted(rows, key=lambda b: b["stats"]["median"]):
            median = bench["stats"]["median"]
            ratio = f"{base['stats']['median'] / median:.2f}×" if base else ""
            extra = dict(bench.get("extra_info", {}))
            # Benchmarks may record the work done ("flops"/"bytes") and leave
            # the rate to this script, computed from the median.
            if "flops" in extra and "gflops" not in extra:
                extra["gflops"] = extra["flops"] / median / 1e9
            if "bytes" in extra and "gbytes_per_s" not in extra:
                extra["gbytes_per_s"] = extra["bytes"] / median / 1e9
            thr = []
            if "gflops" in extra:
                thr.append(f"{extra['gflops']:.1f} GFLOP/s")
            if "pct_of_peak" in extra:
                thr.append(f"{extra['pct_of_peak']:.0f} % of peak")
            if "gbytes_per_s" in extra:
                thr.append(f"{extra['gbytes_per_s']:.1f} GB/s")
            out.append(f"| {_label(bench)} | {_format_time(median)} | {ratio} | {', '.join(thr)} |")
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json_file")
    print(report(parser.parse_args().json_file))


if __name__ == "__main__":
    main()
