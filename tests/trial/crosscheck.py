#!/usr/bin/env python3
"""Checks cramp's n-of-1 statistics against an independent implementation: for every fixture of
tests/trial/fixtures.json, scipy.stats.ttest_ind(stretching, baseline, equal_var=False) gives the
Welch-Satterthwaite degrees of freedom and the 95 % confidence interval of the mean difference;
cramp's (written by crates/cramp-core/tests/trial.rs) must agree to 1e-9.

Usage: crosscheck.py FIXTURES CRAMP_RESULTS
"""
import json
import sys

from scipy import stats


def main():
    fixtures = json.load(open(sys.argv[1]))["fixtures"]
    ours = {r["name"]: r for r in json.load(open(sys.argv[2]))}
    failed = 0
    for fx in fixtures:
        b, s = fx["baseline"], fx["stretching"]
        r = ours[fx["name"]]
        res = stats.ttest_ind(s, b, equal_var=False)
        estimate = sum(s) / len(s) - sum(b) / len(b)
        if r["df"] is None:
            # Both periods without spread: scipy's statistic is undefined; cramp gives the estimate.
            ok = abs(r["estimate"] - estimate) < 1e-9 and r["ci_low"] == r["ci_high"] == r["estimate"]
            theirs = f"no spread: estimate {estimate:.6f}"
        else:
            ci = res.confidence_interval(0.95)
            ok = all(
                abs(x - y) <= 1e-9 * max(1.0, abs(y))
                for x, y in [(r["estimate"], estimate), (r["ci_low"], ci.low), (r["ci_high"], ci.high), (r["df"], res.df)]
            )
            theirs = f"{estimate:.6f} [{ci.low:.6f}, {ci.high:.6f}] df {res.df:.4f}"
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {fx['name']}: cramp {r['estimate']:.6f} [{r['ci_low']:.6f}, {r['ci_high']:.6f}]; scipy {theirs}")
    print(f"{len(fixtures) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
