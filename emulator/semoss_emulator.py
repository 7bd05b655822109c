"""Command-line entry point of the SEMOSS emulator.

    /usr/bin/python3 emulator/semoss_emulator.py --config FILE [--host 127.0.0.1]
        [--port 9090] [--port-file FILE] [--tls-port-file FILE]
        [--context-path /Monolith/api] [--quiet]

--port 0 binds an ephemeral port; --port-file receives the bound port number
(written atomically once the socket is listening).  When the configuration
has a "tls" object, an HTTPS listener serves the same application on the
same host (its "port", 0 = ephemeral); --tls-port-file receives its port,
written before --port-file.  SIGTERM/SIGINT stop the server(s), close every
task cursor and database connection, and exit 0.
"""

import argparse
import logging
import os
import signal
import ssl
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
    parser.add_argument("--tls-port-file",
                        help="write the HTTPS listener's port number to this file "
                             "(needs \"tls\" in the configuration)")
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


def tls_context(tls):
    """A server-side SSLContext for the "tls" configuration (TLS 1.2 or later)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(tls.cert_file, tls.key_file)
    context.set_alpn_protocols(["http/1.1"])
    return context


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
    if arguments.tls_port_file and config.tls is None:
        print("semoss-emulator: --tls-port-file needs \"tls\" in the configuration",
              file=sys.stderr)
        return 2
    context = None
    if config.tls is not None:
        try:
            context = tls_context(config.tls)
        except (OSError, ssl.SSLError) as error:
            print("semoss-emulator: cannot load the TLS certificate %s: %s"
                  % (config.tls.cert_file, error), file=sys.stderr)
            return 2
    context_path = "/" + arguments.context_path.strip("/")
    app = EmulatorApp(config, context_path)
    log = logging.getLogger("semoss_emulator")
    server = EmulatorHTTPServer((arguments.host, arguments.port), app, arguments.quiet)
    servers = [server]
    if context is not None:
        try:
            servers.append(EmulatorHTTPServer((arguments.host, config.tls.port), app,
                                              arguments.quiet, ssl_context=context))
        except OSError:
            server.server_close()
            raise
        tls_port = servers[1].server_address[1]
        if arguments.tls_port_file:
            write_port_file(arguments.tls_port_file, tls_port)
        log.info("listening on https://%s:%d%s", arguments.host, tls_port, context_path)
    port = server.server_address[1]
    if arguments.port_file:
        write_port_file(arguments.port_file, port)
    log.info("listening on http://%s:%d%s", arguments.host, port, context_path)

    def stop(_signum, _frame):
        """Shut the servers down from a helper thread (shutdown() blocks)."""
        for each in servers:
            threading.Thread(target=each.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    app.start()
    # the HTTPS listener runs in a thread; the main thread keeps HTTP (and signals)
    extra_threads = [threading.Thread(target=each.serve_forever, kwargs={"poll_interval": 0.2},
                                      name="%s-listener" % each.scheme, daemon=True)
                     for each in servers[1:]]
    for thread in extra_threads:
        thread.start()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        for each, thread in zip(servers[1:], extra_threads):
            each.shutdown()
            thread.join()
        for each in servers:
            each.server_close()
        app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
