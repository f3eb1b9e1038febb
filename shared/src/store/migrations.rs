//! The product's migrations, in order: `shared/migrations/NNNN_name.sql`, embedded at compile
//! time. Add a file and a line here; never edit or remove an applied one (see
//! [`super::migrate`]). A test checks that this list and the folder agree.

use super::migrate::Migration;

/// Every migration of the product's schema, oldest first.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "sync_state",
        sql: include_str!("../../migrations/0001_sync_state.sql"),
    },
    Migration {
        version: 2,
        name: "service_tables",
        sql: include_str!("../../migrations/0002_service_tables.sql"),
    },
    Migration {
        version: 3,
        name: "service_functions",
        sql: include_str!("../../migrations/0003_service_functions.sql"),
    },
    // customer sync (CUSTOMER-SYNC.md)
    Migration {
        version: 4,
        name: "customer_tables",
        sql: include_str!("../../migrations/0004_customer_tables.sql"),
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::migrate::check_order;

    fn folder() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations")
    }

    #[test]
    fn the_list_matches_the_folder() {
        check_order(MIGRATIONS).unwrap();
        let mut files: Vec<String> = std::fs::read_dir(folder())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        files.sort();
        let listed: Vec<String> = MIGRATIONS
            .iter()
            .map(|m| format!("{:04}_{}.sql", m.version, m.name))
            .collect();
        assert_eq!(files, listed, "shared/migrations/ and MIGRATIONS differ");
        for m in MIGRATIONS {
            let file = folder().join(format!("{:04}_{}.sql", m.version, m.name));
            assert_eq!(std::fs::read_to_string(file).unwrap(), m.sql);
        }
    }

    /// The SQL without `--` comments and without `$$ … $$` function bodies (they run when the
    /// function is called, on derived data, not when the migration is applied), upper-cased,
    /// whitespace collapsed.
    fn statements(sql: &str) -> String {
        let outside_bodies: String = sql.split("$$").step_by(2).collect::<Vec<_>>().join(" ");
        outside_bodies
            .lines()
            .map(|line| line.split("--").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_uppercase()
    }

    /// The words of `sql` (outside comments and function bodies), so that a column such as
    /// `parts_truncated` is not read as `TRUNCATE`.
    fn words(sql: &str) -> Vec<String> {
        statements(sql)
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn migrations_never_drop_data() {
        for m in MIGRATIONS {
            let words = words(m.sql);
            for destructive in [
                &["DROP", "TABLE"][..],
                &["DROP", "COLUMN"],
                &["DROP", "SCHEMA"],
                &["DROP", "DATABASE"],
                &["TRUNCATE"],
                &["DELETE", "FROM"],
            ] {
                assert!(
                    !words.windows(destructive.len()).any(|w| w == destructive),
                    "migration {} ({}) contains {}: migrations never drop data",
                    m.version,
                    m.name,
                    destructive.join(" ")
                );
            }
        }
        assert_eq!(
            words("ALTER TABLE t ADD parts_truncated bool"),
            ["ALTER", "TABLE", "T", "ADD", "PARTS_TRUNCATED", "BOOL"]
        );
        assert!(statements("-- DROP TABLE x\nSELECT 1").eq("SELECT 1"));
        assert_eq!(
            statements("CREATE FUNCTION f() AS $$ DELETE FROM t; $$; DROP TABLE x"),
            "CREATE FUNCTION F() AS ; DROP TABLE X"
        );
    }
}
