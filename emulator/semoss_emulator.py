"""Command-line entry point of the SEMOSS emulator.

    /usr/bin/python3 emulator/semoss_emulator.py --config FILE [--host 127.0.0.1]
        [--port 9090] [--port-file FILE] [--context-path /Monolith/api] [--quiet]

--port 0 binds an ephemeral port; --port-file receives the bound port number
(written atomically once the socket is listening).  SIGTERM/SIGINT stop the
server, close every task cursor and database connection, and exit 0.
"""

import argparse
import logging
import os
import signal
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from semoss_emu.app import EmulatorApp  # noqa: E402
from semoss_emu.config import ConfigError, load_config  # noqa: E402
from semoss_emu.http_server import EmulatorHTTPServer  # noqa: E402


def parse_arguments(argv):
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description="SEMOSS server emulator backed by a real PostgreSQL database.")
    parser.add_argument("--config", required=True, help="JSON configuration file")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=9090, help="port to bind; 0 = ephemeral")
    parser.add_argument("--port-file", help="write the bound port number to this file")
    parser.add_argument("--context-path", default="/Monolith/api",
                        help="base path of the SEMOSS API (default /Monolith/api)")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    return parser.parse_args(argv)


def write_port_file(path, port):
    """Write the port number atomically (readers never see a partial file)."""
    temporary = "%s.%d.tmp" % (path, os.getpid())
    with open(temporary, "w", encoding="ascii") as handle:
        handle.write("%d\n" % port)
    os.replace(temporary, path)


def main(argv=None):
    """Run the emulator until SIGTERM or SIGINT."""
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING if arguments.quiet else logging.INFO,
                        format="semoss-emulator: %(levelname)s %(message)s")
    try:
        config = load_config(arguments.config)
    except ConfigError as error:
        print("semoss-emulator: %s" % error, file=sys.stderr)
        return 2
    context_path = "/" + arguments.context_path.strip("/")
    app = EmulatorApp(config, context_path)
    server = EmulatorHTTPServer((arguments.host, arguments.port), app, arguments.quiet)
    port = server.server_address[1]
    if arguments.port_file:
        write_port_file(arguments.port_file, port)
    logging.getLogger("semoss_emulator").info(
        "listening on http://%s:%d%s", arguments.host, port, context_path)

    def stop(_signum, _frame):
        """Shut the server down from a helper thread (shutdown() blocks)."""
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    app.start()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
