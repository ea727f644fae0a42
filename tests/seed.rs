//! The demo fair: realistic, deterministic, idempotent.

use chrono::Utc;
use fairlink::accounts::{self, Role};
use fairlink::db::Db;
use fairlink::db_test;
use fairlink::firms::TaxCode;
use fairlink::firms::entity::{certificate, firm};
use fairlink::seed::{self, DEMO_ORGANISER, DEMO_PASSWORD};
use sea_orm::{EntityTrait, PaginatorTrait};
use std::collections::HashSet;

db_test! {
    async fn demo_fair_is_complete_and_seeded_once(db: Db) {
        let now = Utc::now();
        let report = seed::run(&db, now).await.unwrap();
        assert!(!report.already_present);
        assert_eq!(report.firms, 900);
        assert_eq!(report.certified_firms, 320);
        assert!(report.visitors >= 300);

        let again = seed::run(&db, now).await.unwrap();
        assert!(again.already_present);
        assert_eq!(firm::Entity::find().count(db.read()).await.unwrap(), 900);

        let firms = firm::Entity::find().all(db.read()).await.unwrap();
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for f in &firms {
            assert!(TaxCode::parse(&f.tax_code).is_ok(), "{}", f.tax_code);
            assert!(codes.insert(f.tax_code.clone()));
            assert!(names.insert(f.legal_name.clone()), "duplicate {}", f.legal_name);
        }
        // Vietnamese names with their diacritics intact.
        assert!(firms.iter().any(|f| f.legal_name.contains("Công ty") && f.province == "ha_noi"));
        assert!(firms.iter().all(|f| fairlink::firms::vocabulary::find(fairlink::firms::vocabulary::PROVINCES, &f.province).is_some()));
        assert!(firms.iter().all(|f| f.search_body.as_deref().is_some_and(|b| !b.is_empty())));
        assert!(firms.iter().all(|f| f.description_vi.is_some() && f.contact_email.is_some()));
        let products = fairlink::firms::entity::product::Entity::find().count(db.read()).await.unwrap();
        assert!(products >= 1800, "{products} products");
        let certified: HashSet<_> = certificate::Entity::find()
            .all(db.read())
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.firm_id)
            .collect();
        assert_eq!(certified.len(), 320);

        let figures = fairlink::firms::figures(&db).await.unwrap();
        assert_eq!(figures.approved, 870);
        assert_eq!(figures.certified, 320);
        assert_eq!(figures.by_sector.iter().map(|(_, n)| n).sum::<u64>(), 870);

        // The documented demo accounts work.
        let organiser = accounts::sign_in(&db, DEMO_ORGANISER, DEMO_PASSWORD, "127.0.0.1", now).await.unwrap();
        assert_eq!(organiser.role, Role::Organiser);
        let fair = fairlink::fairs::featured_fair(&db, now.date_naive()).await.unwrap().unwrap();
        assert_eq!(fair.slug, seed::DEMO_FAIR_SLUG);

        // Three halls of about 300 booths, part sold, none overlapping.
        assert!((280..=320).contains(&report.booths), "{} booths", report.booths);
        let map = fairlink::booths::fair_map(&db, fair.id, None, now).await.unwrap();
        assert_eq!(map.halls.len(), 3);
        assert_eq!(map.booths.len(), report.booths);
        let taken = map.booths.iter().filter(|b| matches!(b.status, fairlink::booths::BoothStatus::Reserved | fairlink::booths::BoothStatus::Sold)).count();
        assert_eq!(taken, report.booths_booked);
        assert!(taken * 100 / report.booths >= 25, "{taken} booked");
        assert!(map.booths.iter().any(|b| b.status == fairlink::booths::BoothStatus::Sold));
        for hall in &map.halls {
            let (_, plan, ctx) = fairlink::booths::hall_plan(&db, hall.id).await.unwrap();
            fairlink::booths::plan::validate(&plan, &ctx).unwrap_or_else(|e| panic!("hall {}: {e:?}", hall.code));
        }
        assert!(report.applications >= 20);
    }
}
