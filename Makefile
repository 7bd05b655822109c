# semoss_fdw — PostgreSQL foreign data wrapper for SEMOSS (PGXS build)

EXTENSION = semoss_fdw
MODULE_big = semoss_fdw
DATA = semoss_fdw--1.0.sql
PGFILEDESC = "semoss_fdw - foreign data wrapper for SEMOSS"

OBJS = \
	semoss_fdw.o \
	src/analyze.o \
	src/connection.o \
	src/convert.o \
	src/deparse.o \
	src/dialect.o \
	src/import.o \
	src/modify.o \
	src/option.o \
	src/rawsql.o \
	src/result.o \
	src/shippable.o \
	src/srf.o \
	src/transaction.o \
	src/semoss_client.o \
	src/semoss_json.o \
	src/semoss_pixel.o \
	src/semoss_response.o

REGRESS = setup options read types import write pushdown join_agg analyze scan faults operability tls
REGRESS_OPTS = --load-extension=plpython3u

PG_CFLAGS += -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Werror
PG_CPPFLAGS += -I$(srcdir)/src
SHLIB_LINK += -lcurl -ljson-c

# The FDW gains nothing from JIT inlining, and skipping the LLVM bitcode
# keeps the build independent of clang.
override with_llvm = no

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies: every object depends on our headers.
$(OBJS): src/semoss_fdw.h src/semoss_client.h src/semoss_client_internal.h
