#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench/realworld/sqlite-options.py: speedtest1 under several FR_OPTIONS.

Compares settings of the recorder (a budget, a tier) on the binaries that
bench/realworld/sqlite.sh built (bench/work/speedtest1-plain and
speedtest1-fr), run pinned to one core. Each round runs every variant once,
in a new random order, so that no variant always follows another (the VM's
speed drifts by several percent within a minute); prints each variant's
median and fastest time over plain's.

  bench/realworld/sqlite-options.py ROUNDS NAME=FR_OPTIONS...

`plain` (no plugin) and `off` (the plugin, FR_OPTIONS=enable=0) are always
run; for example:

  bench/realworld/sqlite-options.py 11 default=exit_dump=0 \\
      half=exit_dump=0,budget=0.5%
"""
import os
import random
import statistics
import subprocess
import sys
import time

WORK = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'work')


def main():
    if len(sys.argv) < 2 or not sys.argv[1].isdigit():
        sys.exit(__doc__.split('\n\n')[2])
    rounds = int(sys.argv[1])
    variants = {'plain': ('speedtest1-plain', None),
                'off': ('speedtest1-fr', 'enable=0')}
    for arg in sys.argv[2:]:
        name, _, options = arg.partition('=')
        variants[name] = ('speedtest1-fr', options)
    for binary, _ in variants.values():
        if not os.access(os.path.join(WORK, binary), os.X_OK):
            sys.exit(f'{binary}: not built; run bench/realworld/sqlite.sh first')
    pin = ['taskset', '-c', '1'] if os.cpu_count() > 1 else []
    seconds = {name: [] for name in variants}
    for _ in range(rounds):
        order = list(variants)
        random.shuffle(order)
        for name in order:
            binary, options = variants[name]
            env = dict(os.environ)
            env.pop('FR_OPTIONS', None)
            if options:
                env['FR_OPTIONS'] = options
            began = time.perf_counter()
            subprocess.run(pin + [os.path.join(WORK, binary), '--memdb',
                                  '--size', '100'], env=env, check=True,
                           stdout=subprocess.DEVNULL)
            seconds[name].append(time.perf_counter() - began)
    plain_median = statistics.median(seconds['plain'])
    plain_fastest = min(seconds['plain'])
    print(f'| variant | x plain, median of {rounds} | fastest x fastest plain |')
    print('|---|---|---|')
    for name, runs in seconds.items():
        print(f'| {name} | {statistics.median(runs) / plain_median:.3f} '
              f'| {min(runs) / plain_fastest:.3f} |')


if __name__ == '__main__':
    main()
