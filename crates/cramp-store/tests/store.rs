//! The store against both databases: SQLite (a fresh file) always; PostgreSQL when
//! `CRAMP_TEST_POSTGRES_URL` names one (scripts/test starts a throwaway cluster and sets it; under
//! `CI=true` its absence is a failure, not a skip).

use cramp_core::diary::{Episode, Helped, Leg, Muscle, Night, WarningSign};
use cramp_store::{DiaryRow, FeedbackRow, Keyed, NightWrite, ShareRow, Store, StoredEpisode};

/// Each test's stores: a new SQLite file, and PostgreSQL when configured. Ids are unique per test
/// run, so tests share the PostgreSQL database safely.
async fn stores() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let mut out = vec![(Store::open(&url).await.unwrap(), Some(dir))];
    match std::env::var("CRAMP_TEST_POSTGRES_URL") {
        Ok(pg) if !pg.is_empty() => out.push((Store::open(&pg).await.unwrap(), None)),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "CI=true but CRAMP_TEST_POSTGRES_URL is not set: the PostgreSQL half of the storage tests cannot run"
            )
        }
        _ => eprintln!("note: CRAMP_TEST_POSTGRES_URL not set; storage tested on SQLite only"),
    }
    out
}

fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{prefix}-{nanos:x}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

async fn diary(s: &Store) -> String {
    let id = unique("d");
    s.create_diary(&DiaryRow {
        id: id.clone(),
        token_hash: unique("h"),
        created_at: "2026-11-23T10:00:00.000000000Z".into(),
    })
    .await
    .unwrap();
    id
}

fn episode(id: &str, utc: &str) -> StoredEpisode {
    StoredEpisode {
        id: id.into(),
        started_utc: utc.into(),
        local_date: utc[..10].into(),
        created_at: utc.into(),
        episode: Episode {
            started_at: utc.into(),
            leg: Leg::Left,
            muscle: Muscle::Calf,
            duration_min: 2.5,
            pain: 7.0,
            woke_from_sleep: true,
            helped: vec![Helped::Stretching, Helped::Walking],
            warning_signs: vec![WarningSign::CalfWarmOrRed],
        },
    }
}

/// Keys older than this are forgotten; the episodes above are all later.
const FORGET: &str = "2000-01-01T00:00:00.000000000Z";

#[tokio::test]
async fn opening_twice_keeps_the_schema_and_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let s = Store::open(&url).await.unwrap();
    let d = diary(&s).await;
    s.close().await;
    let s = Store::open(&url).await.unwrap();
    assert!(s.diary(&d).await.unwrap().is_some());
}

#[tokio::test]
async fn a_bad_url_is_refused_with_the_fix_and_no_password() {
    let err = Store::open("mysql://u:secret@h/db").await.err().unwrap().to_string();
    assert!(err.contains("sqlite://") && err.contains("postgres://"), "{err}");
    assert!(!err.contains("secret"), "{err}");
}

#[tokio::test]
async fn episodes_round_trip_newest_first_with_a_cursor() {
    for (s, _dir) in stores().await {
        let d = diary(&s).await;
        let times = [
            "2026-01-01T03:00:00.000000000Z",
            "2026-01-03T03:00:00.000000000Z",
            "2026-01-02T03:00:00.000000000Z",
        ];
        for (i, t) in times.iter().enumerate() {
            assert_eq!(
                s.add_episode(&d, &episode(&format!("e{i}"), t), None, FORGET)
                    .await
                    .unwrap(),
                Keyed::Stored
            );
        }
        let first = s.episodes(&d, None, 2).await.unwrap();
        assert_eq!(first.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["e1", "e2"]);
        assert_eq!(first[0], episode("e1", times[1]), "{:?}", s.backend());
        let last = first.last().unwrap();
        let after = Some((last.started_utc.as_str(), last.id.as_str()));
        let rest = s.episodes(&d, after, 2).await.unwrap();
        assert_eq!(rest.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["e0"]);
        let all = s.all_episodes(&d).await.unwrap();
        assert_eq!(
            all.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
            ["e0", "e2", "e1"]
        );
    }
}

#[tokio::test]
async fn an_idempotency_key_stores_once_and_replays_the_first_answer() {
    for (s, _dir) in stores().await {
        let d = diary(&s).await;
        let t = "2026-01-01T03:00:00.000000000Z";
        let key = Some(("k1", "hash-a", 201, "{\"id\":\"e1\"}"));
        assert_eq!(
            s.add_episode(&d, &episode("e1", t), key, FORGET).await.unwrap(),
            Keyed::Stored
        );
        let again = s.add_episode(&d, &episode("e2", t), key, FORGET).await.unwrap();
        assert_eq!(
            again,
            Keyed::Replay {
                same_body: true,
                status: 201,
                response: "{\"id\":\"e1\"}".into()
            }
        );
        let other = s
            .add_episode(&d, &episode("e3", t), Some(("k1", "hash-b", 201, "x")), FORGET)
            .await
            .unwrap();
        assert!(matches!(other, Keyed::Replay { same_body: false, .. }));
        assert_eq!(s.all_episodes(&d).await.unwrap().len(), 1, "nothing stored twice");
        // Keys are per diary.
        let d2 = diary(&s).await;
        assert_eq!(
            s.add_episode(&d2, &episode("e1", t), key, FORGET).await.unwrap(),
            Keyed::Stored
        );
    }
}

#[tokio::test]
async fn concurrent_keyed_retries_store_one_episode() {
    for (s, _dir) in stores().await {
        let d = diary(&s).await;
        let mut tasks = Vec::new();
        for i in 0..8 {
            let (s, d) = (s.clone(), d.clone());
            tasks.push(tokio::spawn(async move {
                let ep = episode(&format!("e{i}"), "2026-01-01T03:00:00.000000000Z");
                s.add_episode(&d, &ep, Some(("same", "h", 201, "first")), FORGET)
                    .await
                    .unwrap()
            }));
        }
        let mut stored = 0;
        for t in tasks {
            if t.await.unwrap() == Keyed::Stored {
                stored += 1;
            }
        }
        assert_eq!(stored, 1);
        assert_eq!(s.all_episodes(&d).await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn concurrent_writers_lose_nothing() {
    for (s, _dir) in stores().await {
        let d = diary(&s).await;
        let mut tasks = Vec::new();
        for i in 0..64 {
            let (s, d) = (s.clone(), d.clone());
            tasks.push(tokio::spawn(async move {
                let t = format!("2026-01-01T03:00:{:02}.000000000Z", i % 60);
                s.add_episode(&d, &episode(&format!("e{i:03}"), &t), None, FORGET)
                    .await
                    .unwrap();
                let night = Night {
                    date: format!("2026-02-{:02}", i % 28 + 1),
                    stretched: i % 2 == 0,
                    sleep_quality: 5.0,
                    cramps: i,
                };
                s.put_night(&d, &night, &t).await.unwrap();
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(s.all_episodes(&d).await.unwrap().len(), 64);
        assert_eq!(s.all_nights(&d).await.unwrap().len(), 28);
    }
}

#[tokio::test]
async fn a_night_is_created_then_replaced() {
    for (s, _dir) in stores().await {
        let d = diary(&s).await;
        let mut n = Night {
            date: "2026-01-01".into(),
            stretched: false,
            sleep_quality: 4.5,
            cramps: 2,
        };
        assert_eq!(s.put_night(&d, &n, "t1").await.unwrap(), NightWrite::Created);
        n.cramps = 0;
        n.stretched = true;
        assert_eq!(s.put_night(&d, &n, "t2").await.unwrap(), NightWrite::Replaced);
        let nights = s.all_nights(&d).await.unwrap();
        assert_eq!(nights.len(), 1);
        assert_eq!(nights[0].night, n);
        s.put_night(
            &d,
            &Night {
                date: "2026-01-02".into(),
                ..n.clone()
            },
            "t3",
        )
        .await
        .unwrap();
        let page = s.nights(&d, None, 1).await.unwrap();
        assert_eq!(page[0].night.date, "2026-01-02");
        let rest = s.nights(&d, Some("2026-01-02"), 10).await.unwrap();
        assert_eq!(
            rest.iter().map(|n| n.night.date.as_str()).collect::<Vec<_>>(),
            ["2026-01-01"]
        );
    }
}

#[tokio::test]
async fn shares_are_listed_and_revoked_and_deleting_a_diary_removes_everything() {
    for (s, _dir) in stores().await {
        let d = diary(&s).await;
        let other = diary(&s).await;
        let share = ShareRow {
            id: unique("s"),
            diary_id: d.clone(),
            token_hash: unique("sh"),
            created_at: "2026-01-01T00:00:00.000000000Z".into(),
            expires_at: "2026-01-31T00:00:00.000000000Z".into(),
            revoked_at: None,
        };
        s.create_share(&share).await.unwrap();
        assert!(s.token_hash_known(&share.token_hash).await.unwrap());
        assert!(!s.token_hash_known("nothing").await.unwrap());
        assert_eq!(s.shares(&d).await.unwrap(), vec![share.clone()]);
        assert!(
            !s.revoke_share(&other, &share.id, "t").await.unwrap(),
            "another diary's share"
        );
        assert!(
            s.revoke_share(&d, &share.id, "2026-01-02T00:00:00.000000000Z")
                .await
                .unwrap()
        );
        assert_eq!(
            s.shares(&d).await.unwrap()[0].revoked_at.as_deref(),
            Some("2026-01-02T00:00:00.000000000Z")
        );

        s.add_episode(
            &d,
            &episode("e1", "2026-01-01T03:00:00.000000000Z"),
            Some(("k", "h", 201, "r")),
            FORGET,
        )
        .await
        .unwrap();
        s.add_episode(&other, &episode("e1", "2026-01-01T03:00:00.000000000Z"), None, FORGET)
            .await
            .unwrap();
        s.put_night(
            &d,
            &Night {
                date: "2026-01-01".into(),
                stretched: true,
                sleep_quality: 5.0,
                cramps: 1,
            },
            "t",
        )
        .await
        .unwrap();
        assert!(s.delete_diary(&d).await.unwrap());
        assert!(!s.delete_diary(&d).await.unwrap());
        assert!(s.diary(&d).await.unwrap().is_none());
        assert!(s.all_episodes(&d).await.unwrap().is_empty());
        assert!(s.all_nights(&d).await.unwrap().is_empty());
        assert!(s.shares(&d).await.unwrap().is_empty());
        assert!(!s.token_hash_known(&share.token_hash).await.unwrap());
        assert_eq!(
            s.all_episodes(&other).await.unwrap().len(),
            1,
            "the other diary is untouched"
        );
    }
}

#[tokio::test]
async fn feedback_is_kept_once() {
    for (s, _dir) in stores().await {
        let card = unique("card");
        let f = FeedbackRow {
            service: "cramp-order".into(),
            card: card.clone(),
            rule_id: Some("avoid.quinine".into()),
            outcome: "overridden".into(),
            override_reason: None,
            outcome_timestamp: "2026-11-23T10:00:00Z".into(),
            received_at: "2026-11-23T10:00:01.000000000Z".into(),
        };
        assert!(s.add_feedback(&f).await.unwrap());
        assert!(!s.add_feedback(&f).await.unwrap());
        let with_reason = FeedbackRow {
            override_reason: Some("patient-declined".into()),
            ..f.clone()
        };
        assert!(s.add_feedback(&with_reason).await.unwrap());
        let kept: Vec<_> = s
            .feedback()
            .await
            .unwrap()
            .into_iter()
            .filter(|k| k.card == card)
            .collect();
        assert_eq!(kept.len(), 2);
        assert!(kept.contains(&f) && kept.contains(&with_reason));
    }
}
