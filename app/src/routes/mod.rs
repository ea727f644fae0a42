pub mod account;
pub mod auth;
pub mod home;
pub mod mail;
pub mod not_found;
pub mod organiser;
