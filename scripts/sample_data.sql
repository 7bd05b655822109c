-- Sample business dataset for the sandbox's backing database.
--
-- Several related tables with thousands of rows and every common column
-- type, NULLs included.  Every value is computed from generate_series with
-- deterministic formulas (hashint4 spreads values without random()), so each
-- sandbox holds exactly the same data and tests may assert on it.

SET client_min_messages = warning;

CREATE TABLE regions (
    id          smallint PRIMARY KEY,
    code        char(3) NOT NULL UNIQUE,
    name        text NOT NULL
);

INSERT INTO regions VALUES
    (1, 'NAE', 'North America East'),
    (2, 'NAW', 'North America West'),
    (3, 'EMA', 'Europe & Middle East'),
    (4, 'APJ', 'Asia Pacific/Japan'),
    (5, 'LAT', 'Latin America');

CREATE TABLE customers (
    id              integer PRIMARY KEY,
    name            varchar(100) NOT NULL,
    email           text,
    region_id       smallint REFERENCES regions (id),
    signup_date     date NOT NULL,
    is_vip          boolean NOT NULL DEFAULT false,
    credit_limit    numeric(12, 2),
    last_login      timestamptz,
    external_ref    uuid,
    tags            text[],
    profile         jsonb
);

INSERT INTO customers
SELECT g,
       'Customer ' || g || CASE WHEN g % 97 = 0 THEN ' O''Brien & Sons' ELSE '' END,
       CASE WHEN g % 13 = 0 THEN NULL ELSE 'customer' || g || '@example.com' END,
       CASE WHEN g % 50 = 0 THEN NULL ELSE ((hashint4(g) & 2147483647) % 5 + 1)::smallint END,
       date '2019-01-01' + (g * 7 % 1800),
       g % 17 = 0,
       CASE WHEN g % 11 = 0 THEN NULL ELSE round((g * 37 % 100000) * 1.25, 2) END,
       CASE WHEN g % 7 = 0 THEN NULL
            ELSE timestamptz '2024-01-01 00:00:00+00'
                 + make_interval(secs => (g * 7919 % 31536000) + (g % 1000) / 1000.0) END,
       md5('cust' || g)::uuid,
       CASE WHEN g % 9 = 0 THEN NULL
            ELSE ARRAY['tier' || (g % 3), CASE WHEN g % 2 = 0 THEN 'newsletter' ELSE 'no "mail"' END] END,
       CASE WHEN g % 19 = 0 THEN NULL
            ELSE jsonb_build_object('score', g % 100, 'channel', (ARRAY['web', 'store', 'phone'])[g % 3 + 1]) END
FROM generate_series(1, 2000) AS g;

CREATE TABLE products (
    id              integer PRIMARY KEY,
    sku             varchar(20) NOT NULL UNIQUE,
    name            text NOT NULL,
    category        text NOT NULL,
    unit_price      numeric(10, 2) NOT NULL,
    weight_kg       real,
    discontinued    boolean NOT NULL,
    attributes      json
);

INSERT INTO products
SELECT g,
       'SKU-' || lpad(g::text, 5, '0'),
       (ARRAY['Widget', 'Gadget', 'Gizmo', 'Doohickey', 'Café crème'])[g % 5 + 1] || ' ' || g,
       (ARRAY['hardware', 'software', 'services', 'supplies'])[g % 4 + 1],
       round(1 + (g * 7331 % 50000) / 100.0, 2),
       CASE WHEN g % 10 = 0 THEN NULL ELSE (g % 250) / 10.0 + 0.05 END,
       g % 23 = 0,
       CASE WHEN g % 6 = 0 THEN NULL ELSE json_build_object('color', (ARRAY['red', 'green', 'blue'])[g % 3 + 1], 'size', g % 40) END
FROM generate_series(1, 500) AS g;

CREATE TABLE orders (
    id              bigint PRIMARY KEY,
    customer_id     integer NOT NULL REFERENCES customers (id),
    ordered_at      timestamp NOT NULL,
    shipped_at      timestamptz,
    status          text NOT NULL,
    total           numeric(14, 2) NOT NULL,
    notes           text
);

INSERT INTO orders
SELECT 100000 + g,
       (hashint4(g * 7) & 2147483647) % 2000 + 1,
       timestamp '2023-01-01 08:00:00' + make_interval(secs => g * 1543 % 63072000 + (g % 997) / 997.0),
       CASE WHEN g % 5 = 0 THEN NULL
            ELSE timestamptz '2023-01-02 12:00:00+00' + make_interval(secs => g * 1543 % 63072000) END,
       (ARRAY['new', 'paid', 'shipped', 'delivered', 'delivered', 'delivered', 'cancelled'])[(hashint4(g * 3) & 2147483647) % 7 + 1],
       0,
       CASE WHEN g % 8 = 0 THEN 'Leave at door; ring twice' WHEN g % 29 = 0 THEN E'multi\nline note' END
FROM generate_series(1, 20000) AS g;

CREATE TABLE order_items (
    order_id        bigint NOT NULL REFERENCES orders (id),
    line_no         smallint NOT NULL,
    product_id      integer NOT NULL REFERENCES products (id),
    quantity        integer NOT NULL,
    unit_price      numeric(10, 2) NOT NULL,
    discount        double precision,
    PRIMARY KEY (order_id, line_no)
);

INSERT INTO order_items
SELECT o.id,
       l::smallint,
       (o.id * 13 + l * 101) % 500 + 1,
       (o.id + l) % 9 + 1,
       p.unit_price,
       CASE WHEN (o.id + l) % 4 = 0 THEN NULL ELSE ((o.id + l) % 20) / 100.0 END
FROM orders o
CROSS JOIN LATERAL generate_series(1, (hashint4(o.id::int * 11) & 2147483647) % 4 + 1) AS l
JOIN products p ON p.id = (o.id * 13 + l * 101) % 500 + 1;

UPDATE orders o
SET total = s.total
FROM (SELECT order_id, sum(quantity * unit_price * (1 - coalesce(discount, 0)))::numeric(14, 2) AS total
      FROM order_items GROUP BY order_id) s
WHERE s.order_id = o.id;

-- One row per interesting value of every type the FDW must read exactly,
-- and a row of NULLs.  Used by the type-matrix tests.
CREATE TABLE all_types (
    id              integer PRIMARY KEY,
    c_int2          smallint,
    c_int4          integer,
    c_int8          bigint,
    c_numeric       numeric,
    c_numeric_ps    numeric(30, 10),
    c_float4        real,
    c_float8        double precision,
    c_text          text,
    c_varchar       varchar(40),
    c_char          char(6),
    c_bool          boolean,
    c_date          date,
    c_time          time,
    c_timetz        timetz,
    c_timestamp     timestamp,
    c_timestamptz   timestamptz,
    c_interval      interval,
    c_bytea         bytea,
    c_json          json,
    c_jsonb         jsonb,
    c_uuid          uuid,
    c_int_array     integer[],
    c_text_array    text[],
    c_money_like    numeric(19, 4)
);

INSERT INTO all_types VALUES
    (1, 5, 42, 9007199254740993, 123456789012345678901234567890.123456789,
     12345678901234567890.0123456789, 1.5, 0.1, 'plain text', 'varchar', 'ab',
     true, '2024-01-31', '13:45:07.123456', '13:45:07.5+05:30',
     '2024-01-31 13:45:07.123456', '2024-03-10 07:30:00.654321+00',
     '1 year 2 mons 3 days 04:05:06.789', '\x00ff10', '{"a": 1, "b": [true, null]}',
     '{"k": "v", "n": 1.50}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{1,2,3}',
     '{"x","y z","q\"uote"}', 1234.5678),
    (2, -32768, -2147483648, -9223372036854775808, -0.000000000000000000001,
     -99999999999999999999.9999999999, 'NaN', 'Infinity', E'quotes '' " \\ and \ttab\nnewline', 'Ünïcödé ✓ 日本',
     'x', false, '0001-01-01', '00:00:00', '23:59:59-12', '1999-12-31 23:59:59.999999',
     '2000-01-01 00:00:00+00', '-3 days -00:00:01', '\xdeadbeef80', '[]', '{}',
     '00000000-0000-0000-0000-000000000000', '{}', '{NULL,""}', 0),
    (3, 32767, 2147483647, 9223372036854775807, 'NaN', 0, '-Infinity', -1.0e-300,
     'sql -- comment; DROP TABLE x; </encode> <encode> + % ?', '', '      ', NULL, '9999-12-31', '24:00:00',
     '00:00:00+00', 'infinity', '-infinity', '00:00:00', '\x', 'null', '"just a string"',
     'ffffffff-ffff-ffff-ffff-ffffffffffff', '{-1,NULL,7}', '{"</encode>"}', -0.0001),
    (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

ANALYZE;
