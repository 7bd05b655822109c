#!/usr/bin/env bash
# bench/setup.sh — the data and every contender, in the running sandbox.
#
# Called once by bench/run (or by a section run alone); needs the sandbox's
# environment (scripts/sandbox start).  Creates:
#   * in the backing database: bench_rows, BENCH_ROWS rows x 6 columns
#     (int8, text, numeric, timestamptz, bool, float8), primary key id;
#   * database $BENCH_DB with the contenders:
#       (1) foreign table bench_rows over semoss_fdw (defaults everywhere);
#       (2) foreign table bench_rows_pg over postgres_fdw, pointed straight at
#           the backing database: the physical limit without SEMOSS, HTTP
#           and JSON;
#       (3) plpython3u functions calling the SEMOSS API over HTTP, as a
#           PostgreSQL user would write them instead of an FDW:
#           semoss_rows(sql, page) returns the rows (SETOF record, Python's
#           json module parses the pages), semoss_pages(sql, page) returns
#           each page's body as jsonb for SQL to take apart;
#       (4) is bench/semoss_client.py, which needs nothing here.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ -n "${SEMOSS_SANDBOX_DIR:-}" ] || bench_die "setup.sh: no sandbox; run bench/run"

bench_create_rows bench_rows "$BENCH_ROWS" pk

BACKEND_DB=$(bench_backend_db)
bench_psql -d postgres -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)"
bench_psql -d postgres -c "CREATE DATABASE $BENCH_DB"
# No parallel workers: their CPU would escape the backend's figures (only
# the Python client's local aggregate could use them).
bench_psql -d postgres -c "ALTER DATABASE $BENCH_DB SET max_parallel_workers_per_gather = 0"

COLUMNS="id bigint, label text, amount numeric(12,2), created_at timestamptz, flag boolean, ratio float8"
bench_psql -d "$BENCH_DB" >/dev/null <<SQL
CREATE EXTENSION semoss_fdw;
CREATE EXTENSION postgres_fdw;
CREATE EXTENSION plpython3u;

-- (1) semoss_fdw, every option at its default
CREATE SERVER semoss FOREIGN DATA WRAPPER semoss_fdw
    OPTIONS (url '$SEMOSS_URL', engine_id '$SEMOSS_ENGINE_ID');
CREATE USER MAPPING FOR CURRENT_USER SERVER semoss
    OPTIONS (access_key '$SEMOSS_ACCESS_KEY', secret_key '$SEMOSS_SECRET_KEY');
CREATE FOREIGN TABLE bench_rows ($COLUMNS) SERVER semoss;

-- (2) postgres_fdw straight to the backing database (same cluster, unix socket)
CREATE SERVER backing FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host '$PGHOST', port '$PGPORT', dbname '$BACKEND_DB');
CREATE USER MAPPING FOR CURRENT_USER SERVER backing OPTIONS (user '$PGUSER');
CREATE FOREIGN TABLE bench_rows_pg ($COLUMNS) SERVER backing OPTIONS (table_name 'bench_rows');

-- (3) where the plpython3u functions find SEMOSS and their keys
CREATE TABLE semoss_api_conf (url text, engine_id text, access_key text, secret_key text);
REVOKE ALL ON semoss_api_conf FROM PUBLIC;
INSERT INTO semoss_api_conf
    VALUES ('$SEMOSS_URL', '$SEMOSS_ENGINE_ID', '$SEMOSS_ACCESS_KEY', '$SEMOSS_SECRET_KEY');
SQL

# The plpython3u functions (quoted here-document: nothing is expanded).
bench_psql -d "$BENCH_DB" >/dev/null <<'SQL'
-- One SEMOSS session per backend, kept in GD as a connection pool would:
-- logged in with the key pair (HTTP Basic on GET /config, credentials sent
-- with every request), one insight, one keep-alive HTTP connection.
CREATE FUNCTION semoss_py_init() RETURNS void LANGUAGE plpython3u AS $py$
import base64, http.client, json, urllib.parse
if 'semoss' in GD:
    return

class Session:
    def __init__(self, conf):
        parts = urllib.parse.urlsplit(conf['url'])
        self.base = parts.path.rstrip('/')
        self.engine = conf['engine_id']
        self.http = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=300)
        basic = base64.b64encode(('%s:%s' % (conf['access_key'], conf['secret_key'])).encode()).decode()
        self.headers = {'Authorization': 'Basic ' + basic}
        if not json.loads(self.request('GET', '/config')).get('loginDetails'):
            plpy.error('SEMOSS refused the login')
        self.insight = json.loads(self.raw('META | true;', 'new'))['insightID']

    def request(self, method, path, body=None):
        headers = dict(self.headers)
        if body is not None:
            headers['Content-Type'] = 'application/x-www-form-urlencoded; charset=UTF-8'
        self.http.request(method, self.base + path, body, headers)
        response = self.http.getresponse()
        data = response.read()
        for cookie in response.headers.get_all('Set-Cookie') or []:
            self.headers['Cookie'] = cookie.split(';', 1)[0]
        if response.status != 200:
            plpy.error('SEMOSS answered HTTP %d: %r' % (response.status, data[:200]))
        return data

    def raw(self, expression, insight=None):
        form = urllib.parse.urlencode({'expression': expression,
                                       'insightId': insight or self.insight}).encode()
        return self.request('POST', '/engine/runPixel', form)

    def pixel(self, expression):
        answer = json.loads(self.raw(expression))['pixelReturn'][0]
        if 'ERROR' in answer['operationType']:
            plpy.error('SEMOSS: %s' % answer['output'])
        return answer['output']

    def first(self, sql, page):
        return ('META | Database(database=["%s"]) | Query("<encode>%s</encode>") | Collect(%d);'
                % (self.engine, sql, page))

conf = plpy.execute('SELECT url, engine_id, access_key, secret_key FROM semoss_api_conf')[0]
GD['semoss'] = Session(conf)
$py$;

-- (3a) the rows of a SEMOSS query; the caller gives the column types:
--   SELECT * FROM semoss_rows('SELECT ...', 5000) AS t(id bigint, ...)
-- (PL/Python turns any non-empty string into true for a boolean column,
-- so booleans must be declared text and cast by the caller.)
CREATE FUNCTION semoss_rows(sql text, page int) RETURNS SETOF record
LANGUAGE plpython3u AS $py$
if 'semoss' not in GD:
    plpy.execute('SELECT semoss_py_init()')
session = GD['semoss']
output = session.pixel(session.first(sql, page))
while True:
    values = output['data']['values']
    for row in values:
        yield row
    if len(values) < page:
        break
    output = session.pixel('META | Task("%s") | Collect(%d);' % (output['taskId'], page))
$py$;

-- (3b) the body of each page as jsonb; SQL takes the rows apart:
--   SELECT (v->>0)::bigint, ... FROM semoss_pages('SELECT ...', 5000) p,
--        jsonb_array_elements(p #> '{pixelReturn,0,output,data,values}') v
-- Python does not parse the pages: it finds the task id with a string
-- search and stops at the first empty page (so one request more than a
-- client that counts the rows).
CREATE FUNCTION semoss_pages(sql text, page int) RETURNS SETOF jsonb
LANGUAGE plpython3u AS $py$
import json
if 'semoss' not in GD:
    plpy.execute('SELECT semoss_py_init()')
session = GD['semoss']
expression = session.first(sql, page)
while True:
    body = session.raw(expression).decode()
    if '"TASK_DATA"' not in body[-200:]:
        plpy.error('SEMOSS: %s' % json.loads(body)['pixelReturn'][0]['output'])
    if '"values":[]' in body:
        break
    yield body
    start = body.rindex('"taskId":"') + 10
    expression = 'META | Task("%s") | Collect(%d);' % (body[start:body.index('"', start)], page)
$py$;
SQL
bench_log "setup done: $BENCH_ROWS rows, contenders in database $BENCH_DB"
