//! # cramp-store
//!
//! The diary's storage (SPEC §7, issue 6) and the CDS Hooks feedback: one code path over an embedded
//! SQLite file (the default of `cramp serve`) and PostgreSQL, chosen by the URL at run time through
//! sqlx's `Any` driver, with migrations run at open.
//!
//! - Only hashes of tokens are stored; this crate never sees a token.
//! - Times are RFC 3339 UTC text of fixed width (the caller's clock), so text order is time order on
//!   both databases; ids are text.
//! - Durability: SQLite runs in WAL mode with `synchronous=FULL`, so a write is on disk when its
//!   transaction commits, i.e. before the caller acknowledges it; PostgreSQL commits are durable by
//!   its own defaults. Every write is one transaction.
//! - Concurrency: SQLite allows one writer at a time, so writes go through a pool of one connection
//!   (they queue instead of failing with "database is locked") and reads through a pool of several;
//!   PostgreSQL uses one pool for both.

use cramp_core::diary::{Episode, Helped, Leg, Muscle, Night, WarningSign};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, Row};
use std::time::Duration;

/// The schema, in order. Portable SQL: the same files run on SQLite and PostgreSQL.
const MIGRATIONS: &[(i64, &str, &str)] = &[(1, "diary", include_str!("../migrations/0001_diary.sql"))];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Url(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data not understood: {0}")]
    Corrupt(String),
}

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The store: cheap to clone (pools are shared).
#[derive(Clone)]
pub struct Store {
    read: AnyPool,
    write: AnyPool,
    backend: Backend,
}

/// A diary's credentials as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiaryRow {
    pub id: String,
    pub token_hash: String,
    pub created_at: String,
}

/// A share as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareRow {
    pub id: String,
    pub diary_id: String,
    pub token_hash: String,
    pub created_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
}

/// An episode as stored: the record, its id, the UTC instant it started (fixed-width text, the list
/// order) and its local date (the date part of `started_at` in the patient's own offset).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEpisode {
    pub id: String,
    pub started_utc: String,
    pub local_date: String,
    pub created_at: String,
    pub episode: Episode,
}

/// A nightly check-in as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredNight {
    pub night: Night,
    pub updated_at: String,
}

/// What a keyed write found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keyed {
    /// Written now.
    Stored,
    /// The key was used before: its first response, and whether the body was the same.
    Replay {
        same_body: bool,
        status: u16,
        response: String,
    },
}

/// Whether a nightly check-in was new or replaced that date's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NightWrite {
    Created,
    Replaced,
}

/// One piece of CDS Hooks feedback as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackRow {
    pub service: String,
    pub card: String,
    pub rule_id: Option<String>,
    pub outcome: String,
    pub override_reason: Option<String>,
    pub outcome_timestamp: String,
    pub received_at: String,
}

fn join<T: Copy>(xs: &[T], f: fn(T) -> &'static str) -> String {
    xs.iter().map(|x| f(*x)).collect::<Vec<_>>().join(",")
}

fn split<T>(s: &str, f: fn(&str) -> Option<T>, what: &str) -> Result<Vec<T>, StoreError> {
    s.split(',')
        .filter(|p| !p.is_empty())
        .map(|p| f(p).ok_or_else(|| StoreError::Corrupt(format!("{what} {p:?}"))))
        .collect()
}

fn word<T>(s: String, f: fn(&str) -> Option<T>, what: &str) -> Result<T, StoreError> {
    f(&s).ok_or_else(|| StoreError::Corrupt(format!("{what} {s:?}")))
}

fn episode_from(row: &AnyRow) -> Result<StoredEpisode, StoreError> {
    Ok(StoredEpisode {
        id: row.try_get("id")?,
        started_utc: row.try_get("started_utc")?,
        local_date: row.try_get("local_date")?,
        created_at: row.try_get("created_at")?,
        episode: Episode {
            started_at: row.try_get("started_at")?,
            leg: word(row.try_get("leg")?, Leg::parse, "leg")?,
            muscle: word(row.try_get("muscle")?, Muscle::parse, "muscle")?,
            duration_min: row.try_get("duration_min")?,
            pain: row.try_get("pain")?,
            woke_from_sleep: row.try_get::<i64, _>("woke_from_sleep")? != 0,
            helped: split(&row.try_get::<String, _>("helped")?, Helped::parse, "helped")?,
            warning_signs: split(
                &row.try_get::<String, _>("warning_signs")?,
                WarningSign::parse,
                "warning sign",
            )?,
        },
    })
}

fn night_from(row: &AnyRow) -> Result<StoredNight, StoreError> {
    let cramps: i64 = row.try_get("cramps")?;
    Ok(StoredNight {
        night: Night {
            date: row.try_get("date")?,
            stretched: row.try_get::<i64, _>("stretched")? != 0,
            sleep_quality: row.try_get("sleep_quality")?,
            cramps: u32::try_from(cramps).map_err(|_| StoreError::Corrupt(format!("cramps {cramps}")))?,
        },
        updated_at: row.try_get("updated_at")?,
    })
}

fn share_from(row: &AnyRow) -> Result<ShareRow, StoreError> {
    Ok(ShareRow {
        id: row.try_get("id")?,
        diary_id: row.try_get("diary_id")?,
        token_hash: row.try_get("token_hash")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

const NIGHT_COLUMNS: &str = "date, stretched, sleep_quality, cramps, updated_at";

const EPISODE_COLUMNS: &str = "id, started_at, started_utc, local_date, leg, muscle, duration_min, pain, \
                               woke_from_sleep, helped, warning_signs, created_at";

impl Store {
    /// Opens (creating when needed) the database at `url` and brings its schema up to date.
    /// `sqlite://path?mode=rwc` creates the file; `sqlite::memory:` is one private in-memory
    /// database (tests); `postgres://…` a PostgreSQL database that exists.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::Url(format!(
                "{:?} is not a database URL; use sqlite://cramp.db or postgres://user@host:5432/cramp",
                redact(url)
            )));
        };
        let store = match backend {
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?;
                Store {
                    read: pool.clone(),
                    write: pool,
                    backend,
                }
            }
            Backend::Sqlite => {
                let memory = url.contains(":memory:") || url.contains("mode=memory");
                let sqlite = |n: u32| {
                    AnyPoolOptions::new()
                        .max_connections(n)
                        .acquire_timeout(Duration::from_secs(30))
                        // An in-memory database lives as long as its one connection.
                        .idle_timeout(if memory { None } else { Some(Duration::from_secs(600)) })
                        .max_lifetime(if memory { None } else { Some(Duration::from_secs(3600)) })
                        .after_connect(|conn, _| {
                            Box::pin(async move {
                                // WAL: readers do not block the writer; FULL: a commit is on disk
                                // before it returns; secure_delete: a deleted diary is overwritten.
                                for pragma in [
                                    "PRAGMA journal_mode = WAL",
                                    "PRAGMA synchronous = FULL",
                                    "PRAGMA busy_timeout = 10000",
                                    "PRAGMA secure_delete = ON",
                                ] {
                                    sqlx::query(pragma).execute(&mut *conn).await?;
                                }
                                Ok(())
                            })
                        })
                };
                let write = sqlite(1).connect(url).await?;
                let read = if memory {
                    write.clone()
                } else {
                    sqlite(4).connect(url).await?
                };
                Store { read, write, backend }
            }
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        use sqlx::SqlSafeStr;
        let migrations = MIGRATIONS
            .iter()
            .map(|(v, d, sql)| Migration::new(*v, (*d).into(), MigrationType::Simple, sql.into_sql_str(), false))
            .collect();
        let mut conn = self.write.acquire().await?;
        Migrator::with_migrations(migrations).run(&mut *conn).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the pools (waits for connections in use).
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }

    // ---- diaries -------------------------------------------------------------------------------

    pub async fn create_diary(&self, row: &DiaryRow) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO diaries (id, token_hash, created_at) VALUES ($1, $2, $3)")
            .bind(&row.id)
            .bind(&row.token_hash)
            .bind(&row.created_at)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn diary(&self, id: &str) -> Result<Option<DiaryRow>, StoreError> {
        let row = sqlx::query("SELECT id, token_hash, created_at FROM diaries WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        Ok(match row {
            Some(r) => Some(DiaryRow {
                id: r.try_get("id")?,
                token_hash: r.try_get("token_hash")?,
                created_at: r.try_get("created_at")?,
            }),
            None => None,
        })
    }

    /// Whether a token hash belongs to any diary or share (to tell "another diary's token" from a
    /// wrong one).
    pub async fn token_hash_known(&self, token_hash: &str) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT 1 AS hit FROM diaries WHERE token_hash = $1 \
             UNION ALL SELECT 1 AS hit FROM shares WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.is_some())
    }

    /// Deletes a diary and everything in it, in one transaction; `false` when there was none.
    pub async fn delete_diary(&self, id: &str) -> Result<bool, StoreError> {
        let mut tx = self.write.begin().await?;
        for sql in [
            "DELETE FROM episodes WHERE diary_id = $1",
            "DELETE FROM nights WHERE diary_id = $1",
            "DELETE FROM shares WHERE diary_id = $1",
            "DELETE FROM idempotency WHERE diary_id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        let gone = sqlx::query("DELETE FROM diaries WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(gone > 0)
    }

    // ---- episodes ------------------------------------------------------------------------------

    /// Stores an episode. With an idempotency key (`key`, the body's hash, and the response to
    /// give again), a key seen before is not stored twice: its first response comes back instead,
    /// and keys older than `forget_before` are dropped. `response` is what the caller will answer
    /// (201 and its body), kept with the key in the same transaction.
    pub async fn add_episode(
        &self,
        diary_id: &str,
        ep: &StoredEpisode,
        key: Option<(&str, &str, u16, &str)>,
        forget_before: &str,
    ) -> Result<Keyed, StoreError> {
        let mut tx = self.write.begin().await?;
        if let Some((key, body_hash, ..)) = key {
            sqlx::query("DELETE FROM idempotency WHERE diary_id = $1 AND created_at < $2")
                .bind(diary_id)
                .bind(forget_before)
                .execute(&mut *tx)
                .await?;
            if let Some(replay) = Self::replay(&mut tx, diary_id, key, body_hash).await? {
                return Ok(replay);
            }
        }
        let e = &ep.episode;
        sqlx::query(
            "INSERT INTO episodes (diary_id, id, started_at, started_utc, local_date, leg, muscle, duration_min, \
             pain, woke_from_sleep, helped, warning_signs, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(diary_id)
        .bind(&ep.id)
        .bind(&e.started_at)
        .bind(&ep.started_utc)
        .bind(&ep.local_date)
        .bind(e.leg.as_str())
        .bind(e.muscle.as_str())
        .bind(e.duration_min)
        .bind(e.pain)
        .bind(i64::from(e.woke_from_sleep))
        .bind(join(&e.helped, Helped::as_str))
        .bind(join(&e.warning_signs, WarningSign::as_str))
        .bind(&ep.created_at)
        .execute(&mut *tx)
        .await?;
        if let Some((key, body_hash, status, response)) = key {
            let n = sqlx::query(
                "INSERT INTO idempotency (diary_id, key, body_hash, status, response, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (diary_id, key) DO NOTHING",
            )
            .bind(diary_id)
            .bind(key)
            .bind(body_hash)
            .bind(i64::from(status))
            .bind(response)
            .bind(&ep.created_at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                // A concurrent request with the same key committed first (PostgreSQL waits for it
                // here): this one stores nothing and answers as the first did.
                tx.rollback().await?;
                let mut tx = self.write.begin().await?;
                let replay = Self::replay(&mut tx, diary_id, key, body_hash).await?;
                tx.commit().await?;
                return replay.ok_or_else(|| StoreError::Corrupt("idempotency key vanished".into()));
            }
        }
        tx.commit().await?;
        Ok(Keyed::Stored)
    }

    async fn replay(
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        diary_id: &str,
        key: &str,
        body_hash: &str,
    ) -> Result<Option<Keyed>, StoreError> {
        let row = sqlx::query("SELECT body_hash, status, response FROM idempotency WHERE diary_id = $1 AND key = $2")
            .bind(diary_id)
            .bind(key)
            .fetch_optional(&mut **tx)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let status: i64 = row.try_get("status")?;
        Ok(Some(Keyed::Replay {
            same_body: row.try_get::<String, _>("body_hash")? == body_hash,
            status: u16::try_from(status).map_err(|_| StoreError::Corrupt(format!("status {status}")))?,
            response: row.try_get("response")?,
        }))
    }

    /// Episodes newest first (by start instant, then id), at most `limit`; with `after`, only
    /// those after that episode (its `started_utc` and `id`) in that order.
    pub async fn episodes(
        &self,
        diary_id: &str,
        after: Option<(&str, &str)>,
        limit: u32,
    ) -> Result<Vec<StoredEpisode>, StoreError> {
        let rows = match after {
            Some((started_utc, id)) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {EPISODE_COLUMNS} FROM episodes WHERE diary_id = $1 \
                     AND (started_utc < $2 OR (started_utc = $2 AND id < $3)) \
                     ORDER BY started_utc DESC, id DESC LIMIT $4"
                )))
                .bind(diary_id)
                .bind(started_utc)
                .bind(id)
                .bind(i64::from(limit))
                .fetch_all(&self.read)
                .await?
            }
            None => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {EPISODE_COLUMNS} FROM episodes WHERE diary_id = $1 \
                     ORDER BY started_utc DESC, id DESC LIMIT $2"
                )))
                .bind(diary_id)
                .bind(i64::from(limit))
                .fetch_all(&self.read)
                .await?
            }
        };
        rows.iter().map(episode_from).collect()
    }

    /// Every episode of a diary, oldest first (exports, the trial, the summary).
    pub async fn all_episodes(&self, diary_id: &str) -> Result<Vec<StoredEpisode>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EPISODE_COLUMNS} FROM episodes WHERE diary_id = $1 ORDER BY started_utc, id"
        )))
        .bind(diary_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(episode_from).collect()
    }

    // ---- nights --------------------------------------------------------------------------------

    /// Stores a nightly check-in: new for its date, or replacing that date's.
    pub async fn put_night(&self, diary_id: &str, n: &Night, updated_at: &str) -> Result<NightWrite, StoreError> {
        let mut tx = self.write.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO nights (diary_id, date, stretched, sleep_quality, cramps, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (diary_id, date) DO NOTHING",
        )
        .bind(diary_id)
        .bind(&n.date)
        .bind(i64::from(n.stretched))
        .bind(n.sleep_quality)
        .bind(i64::from(n.cramps))
        .bind(updated_at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let write = if inserted > 0 {
            NightWrite::Created
        } else {
            sqlx::query(
                "UPDATE nights SET stretched = $3, sleep_quality = $4, cramps = $5, updated_at = $6 \
                 WHERE diary_id = $1 AND date = $2",
            )
            .bind(diary_id)
            .bind(&n.date)
            .bind(i64::from(n.stretched))
            .bind(n.sleep_quality)
            .bind(i64::from(n.cramps))
            .bind(updated_at)
            .execute(&mut *tx)
            .await?;
            NightWrite::Replaced
        };
        tx.commit().await?;
        Ok(write)
    }

    /// Nightly check-ins newest first, at most `limit`; with `after`, only those before that date.
    pub async fn nights(
        &self,
        diary_id: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<StoredNight>, StoreError> {
        let rows =
            match after {
                Some(date) => sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {NIGHT_COLUMNS} FROM nights WHERE diary_id = $1 AND date < $2 ORDER BY date DESC LIMIT $3"
                )))
                .bind(diary_id)
                .bind(date)
                .bind(i64::from(limit))
                .fetch_all(&self.read)
                .await?,
                None => {
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT {NIGHT_COLUMNS} FROM nights WHERE diary_id = $1 ORDER BY date DESC LIMIT $2"
                    )))
                    .bind(diary_id)
                    .bind(i64::from(limit))
                    .fetch_all(&self.read)
                    .await?
                }
            };
        rows.iter().map(night_from).collect()
    }

    /// Every nightly check-in of a diary, oldest first.
    pub async fn all_nights(&self, diary_id: &str) -> Result<Vec<StoredNight>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {NIGHT_COLUMNS} FROM nights WHERE diary_id = $1 ORDER BY date"
        )))
        .bind(diary_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(night_from).collect()
    }

    // ---- shares --------------------------------------------------------------------------------

    pub async fn create_share(&self, s: &ShareRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO shares (id, diary_id, token_hash, created_at, expires_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&s.id)
        .bind(&s.diary_id)
        .bind(&s.token_hash)
        .bind(&s.created_at)
        .bind(&s.expires_at)
        .bind(&s.revoked_at)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// The shares of a diary, newest first (revoked and expired ones too).
    pub async fn shares(&self, diary_id: &str) -> Result<Vec<ShareRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, diary_id, token_hash, created_at, expires_at, revoked_at FROM shares \
             WHERE diary_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(diary_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(share_from).collect()
    }

    /// Revokes a share of this diary; `false` when the diary has no such share.
    pub async fn revoke_share(&self, diary_id: &str, share_id: &str, at: &str) -> Result<bool, StoreError> {
        let mut tx = self.write.begin().await?;
        let exists = sqlx::query("SELECT 1 AS hit FROM shares WHERE diary_id = $1 AND id = $2")
            .bind(diary_id)
            .bind(share_id)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if exists {
            sqlx::query("UPDATE shares SET revoked_at = $3 WHERE diary_id = $1 AND id = $2 AND revoked_at IS NULL")
                .bind(diary_id)
                .bind(share_id)
                .bind(at)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(exists)
    }

    // ---- CDS Hooks feedback --------------------------------------------------------------------

    /// Keeps a piece of feedback once; `true` when it was new.
    pub async fn add_feedback(&self, f: &FeedbackRow) -> Result<bool, StoreError> {
        let n = sqlx::query(
            "INSERT INTO cds_feedback (service, card, rule_id, outcome, override_reason, outcome_timestamp, received_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (service, card, outcome, override_reason, outcome_timestamp) DO NOTHING",
        )
        .bind(&f.service)
        .bind(&f.card)
        .bind(&f.rule_id)
        .bind(&f.outcome)
        .bind(f.override_reason.as_deref().unwrap_or(""))
        .bind(&f.outcome_timestamp)
        .bind(&f.received_at)
        .execute(&self.write)
        .await?
        .rows_affected();
        Ok(n > 0)
    }

    /// Every piece of feedback kept, oldest first.
    pub async fn feedback(&self) -> Result<Vec<FeedbackRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT service, card, rule_id, outcome, override_reason, outcome_timestamp, received_at \
             FROM cds_feedback ORDER BY received_at, card",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let reason: String = r.try_get("override_reason")?;
                Ok(FeedbackRow {
                    service: r.try_get("service")?,
                    card: r.try_get("card")?,
                    rule_id: r.try_get("rule_id")?,
                    outcome: r.try_get("outcome")?,
                    override_reason: (!reason.is_empty()).then_some(reason),
                    outcome_timestamp: r.try_get("outcome_timestamp")?,
                    received_at: r.try_get("received_at")?,
                })
            })
            .collect()
    }
}

/// A database URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
