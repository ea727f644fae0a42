use serde::{Deserialize, Serialize};

/// The three supporting-industry groups a firm belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectorGroup {
    /// Components and spare parts for cars, motorbikes and electronics.
    Components,
    /// Inputs for textile, garment, leather and footwear.
    TextileLeather,
    /// Parts and materials for high-tech industry.
    HighTech,
}

impl SectorGroup {
    pub const ALL: [SectorGroup; 3] = [
        SectorGroup::Components,
        SectorGroup::TextileLeather,
        SectorGroup::HighTech,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            SectorGroup::Components => "components",
            SectorGroup::TextileLeather => "textile_leather",
            SectorGroup::HighTech => "high_tech",
        }
    }

    pub fn parse(s: &str) -> Option<SectorGroup> {
        SectorGroup::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for g in SectorGroup::ALL {
            assert_eq!(SectorGroup::parse(g.as_str()), Some(g));
        }
        assert_eq!(SectorGroup::parse("food"), None);
    }
}
