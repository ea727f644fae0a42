pub mod forms;
pub mod guard;
pub mod layout;
