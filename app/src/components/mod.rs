pub mod firm_view;
pub mod forms;
pub mod guard;
pub mod layout;
pub mod pager;
