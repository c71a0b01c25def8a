pub mod tree;
pub mod edit;
pub mod secret;
