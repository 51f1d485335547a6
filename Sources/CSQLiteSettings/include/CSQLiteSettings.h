#ifndef RECHARGE_CSQLITESETTINGS_H
#define RECHARGE_CSQLITESETTINGS_H

/// Turns off SQLite's memory statistics for the whole process (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0)).
///
/// With them on, every allocation and free inside SQLite takes a process-wide mutex to keep its counters; an
/// import makes several per inserted line. sqlite3_config is variadic, which Swift cannot call, hence this
/// wrapper. It only takes effect before SQLite is initialised (before the first connection is opened);
/// afterwards SQLite refuses it with SQLITE_MISUSE and nothing changes. Returns SQLite's result code.
int recharge_sqlite_disable_memory_statistics(void);

#endif
