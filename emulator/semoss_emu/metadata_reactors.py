"""Catalog reactors: MyEngines, GetDatabaseList, GetDatabaseTableStructure and
GetDatabaseMetamodel, shaped like SEMOSS's outputs (HashMap key order included)."""

from .engines import EngineError
from .javacompat import java_hashmap, java_hashmap_order
from .nouns import CUSTOM_DATA_STRUCTURE, Noun, PixelError
from .values import semoss_data_type

# AccessPermissionEnum: OWNER=1, EDIT=2, READ_ONLY=3.
_PERMISSION_CODES = {"edit": 2, "view": 3}
_EDGE_KEY_ORDER = ["sourceColumn", "targetColumn", "relation", "source", "target"]


def my_engines_reactor(call):
    """MyEngines(engineTypes=[..], filterWord=.., limit=.., offset=.., noMeta=[..])."""
    types = [str(value).upper() for value in call.named_values("engineTypes")]
    engines = _visible_engines(call, call.key_value("filterWord", 0))
    if types and "DATABASE" not in types:
        engines = []
    engines = _page(engines, call.key_value("limit", 1), call.key_value("offset", 2))
    with_meta = call.named_string("noMeta") != "true"
    return Noun([_engine_map(call, engine, with_meta) for engine in engines],
                CUSTOM_DATA_STRUCTURE, ["DATABASE_INFO"])


def get_database_list_reactor(call):
    """GetDatabaseList(limit=[n], offset=[m]): databases the user can see, no metadata."""
    engines = _page(_visible_engines(call, None), call.key_value("limit", 0),
                    call.key_value("offset", 1))
    return Noun([_engine_map(call, engine, False) for engine in engines],
                CUSTOM_DATA_STRUCTURE, ["DATABASE_LIST"])


def _visible_engines(call, filter_word):
    """Engines the user may view, ordered by lower-case name, optionally name-filtered."""
    engines = [engine for engine in call.context.engines.engines.values()
               if call.user.can_view(engine.id)]
    if filter_word:
        engines = [engine for engine in engines
                   if filter_word.lower() in engine.config.name.lower()]
    return sorted(engines, key=lambda engine: engine.config.name.lower())


def _page(engines, limit_text, offset_text):
    """Apply limit/offset given as strings (Integer.parseInt semantics)."""
    limit = _parse_int(limit_text, "limit")
    offset = _parse_int(offset_text, "offset")
    if offset:
        engines = engines[offset:]
    if limit is not None and limit >= 0:
        engines = engines[:limit]
    return engines


def _parse_int(text, what):
    """Parse an optional integer input the way the reactors do."""
    if text is None or not text.strip():
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise PixelError("Could not parse %s value as integer. Input was: %s"
                         % (what, text.strip())) from None


def _engine_map(call, engine, with_meta):
    """One engine row: legacy app_*/database_* keys plus the newer engine_* keys."""
    config = engine.config
    permission = _PERMISSION_CODES[call.user.permission(engine.id)]
    pairs = [
        ("app_id", config.id), ("app_name", config.name), ("app_type", "DATABASE"),
        ("app_subtype", config.subtype),
        ("database_id", config.id), ("database_name", config.name),
        ("database_type", "DATABASE"), ("database_subtype", config.subtype),
        ("database_discoverable", False), ("database_global", False),
        ("database_date_created", config.date_created),
        ("low_database_name", config.name.lower()),
        ("user_permission", permission), ("permission", permission),
        ("database_favorite", 0), ("app_favorite", 0),
        ("engine_id", config.id), ("engine_name", config.name),
        ("engine_display_name", config.name), ("engine_type", "DATABASE"),
        ("engine_subtype", config.subtype),
    ]
    if with_meta:
        if config.description is not None:
            pairs.append(("description", config.description))
        if config.tags:
            pairs.append(("tags", config.tags[0] if len(config.tags) == 1 else list(config.tags)))
    return java_hashmap(pairs)


def get_database_table_structure_reactor(call):
    """GetDatabaseTableStructure(database=[id]): cached [table, column, type, false, col, table]."""
    engine = _viewable_engine(call)
    rows = []
    for column in _snapshot(engine).columns:
        stored_type = _stored_property_type(column.type_name)
        if stored_type in ("INT", "DOUBLE"):
            stored_type = "NUMBER"
        rows.append([column.table, column.column, stored_type, False, column.column, column.table])
    rows.sort(key=lambda row: (row[0], row[1]))
    return Noun(rows, CUSTOM_DATA_STRUCTURE, ["DATABASE_TABLE_STRUCTURE"])


def get_database_metamodel_reactor(call):
    """GetDatabaseMetamodel(database=[id], options=[..]): nodes, edges and data types."""
    engine = _viewable_engine(call)
    snapshot = _snapshot(engine)
    properties = {}
    physical_types = {}
    data_types = {}
    for column in snapshot.columns:
        properties.setdefault(column.table, set()).add(column.column)
        unique_name = column.table + "__" + column.column
        physical_types[unique_name] = column.physical_type
        data_types[unique_name] = _stored_property_type(column.type_name)
    nodes = [{"propSet": sorted(columns), "conceptualName": table}
             for table, columns in (
                 (name, properties[name]) for name in java_hashmap_order(properties))]
    edges = []
    for source, source_column, target, target_column in snapshot.foreign_keys:
        edge = {"source": source, "target": target,
                "relation": "%s.%s.%s.%s" % (source, source_column, target, target_column),
                "sourceColumn": source_column, "targetColumn": target_column}
        edges.append({key: edge[key] for key in _EDGE_KEY_ORDER})
    metamodel = java_hashmap([
        ("nodes", nodes), ("edges", edges),
        ("physicalTypes", java_hashmap(physical_types.items())),
        ("dataTypes", java_hashmap(data_types.items())),
        ("additionalDataTypes", {}),
    ])
    return Noun(metamodel, CUSTOM_DATA_STRUCTURE, ["DATABASE_METAMODEL"])


def _viewable_engine(call):
    """The engine named by database=[..] if the user may view it."""
    requested = call.key_value("database", 0)
    if requested is None:
        raise PixelError("Need to define the database to get the structure from from")
    engine_id = call.context.engines.resolve_alias(requested, call.user)
    engine = call.context.engines.get(engine_id)
    if engine is None or not call.user.can_view(engine_id):
        raise PixelError("Database does not exist or user does not have access to database")
    return engine


def _snapshot(engine):
    """The engine's cached catalog, with driver failures as pixel errors."""
    try:
        return engine.catalog_snapshot()
    except EngineError as error:
        raise PixelError(str(error)) from None


def _stored_property_type(type_name):
    """The type SEMOSS stores in its metamodel: SemossDataType, BOOLEAN kept as STRING."""
    data_type = semoss_data_type(type_name)
    return "STRING" if data_type in ("BOOLEAN", "FACTOR") else data_type


METADATA_REACTORS = {
    "MyEngines": my_engines_reactor,
    "GetDatabaseList": get_database_list_reactor,
    "GetDatabaseTableStructure": get_database_table_structure_reactor,
    "GetDatabaseMetamodel": get_database_metamodel_reactor,
}
