"""DescribeSourceServers throughput of the MGN emulator for a 1,000-server estate, through a real boto3 client.

Prints calls per second for the two shapes the twin uses: one server by id (a poll) and a page of all 1,000.
Run: ``python bench/mgn.py``
"""
from __future__ import annotations

import time

from waveflow.local.mgn import MgnEmulator

SERVERS = 1000
VIRTUAL_START = 1_700_000_000.0


def calls_per_second(call, budget_s: float = 2.0) -> float:
    """How often ``call`` completes per wall second, measured for about ``budget_s``."""
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < budget_s:
        call()
        count += 1
    return count / elapsed


def main() -> None:
    virtual_now = [VIRTUAL_START]
    emu = MgnEmulator(clock=lambda: virtual_now[0], seed=1)
    ids = [emu.add_source_server(hostname=f"host-{index:04d}", disks_gib=(100, 50)) for index in range(SERVERS)]
    virtual_now[0] += 1800  # a mix of INITIATING and INITIAL_SYNC servers
    mgn = emu.client()
    cursor = iter(range(10**9))

    def one_server():
        virtual_now[0] += 1.0
        mgn.describe_source_servers(filters={"sourceServerIDs": [ids[next(cursor) % SERVERS]]})

    def whole_estate():
        virtual_now[0] += 1.0
        assert len(mgn.describe_source_servers(maxResults=1000)["items"]) == SERVERS

    print(f"DescribeSourceServers, {SERVERS}-server estate, one server by id: "
          f"{calls_per_second(one_server):,.0f} calls/s")
    print(f"DescribeSourceServers, {SERVERS}-server estate, all servers in one page: "
          f"{calls_per_second(whole_estate):,.1f} calls/s")


if __name__ == "__main__":
    main()
