"""Command line: `python -m emulator serve [--host H] [--port P] [--state DIR] [--profile default|test]`."""

from __future__ import annotations

import argparse
import sys

from .seed import PROFILES
from .server import EmulatorServer
from .usercount import seed_users


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulator", description="Local Dataverse emulator")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve until interrupted")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8443)
    serve.add_argument("--state", default="var/emulator/")
    serve.add_argument(
        "--profile",
        choices=PROFILES,
        default="default",
        help="the reference rows a new state directory is seeded with (a second org: test)",
    )
    users = sub.add_parser("seed-users", help="add N extra users (for paging and load tests)")
    users.add_argument("count", type=int)
    users.add_argument("--state", default="var/emulator/")
    args = parser.parse_args(argv)
    if args.command == "seed-users":
        added = seed_users(args.state, args.count)
        print(f"Added {added} users to {args.state}")
        return 0
    server = EmulatorServer(args.state, args.host, args.port, args.profile)
    print(f"Dataverse emulator listening on {server.org_url} (state: {args.state})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
