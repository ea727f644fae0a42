pub mod account;
pub mod auth;
pub mod home;
pub mod not_found;
pub mod organiser;
