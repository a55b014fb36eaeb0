//! The iscsisec KMDF driver: registers the WMI provider and hosts `iscsisec-core`.
//!
//! This crate is a placeholder until the KMDF work lands: on every target it is an empty
//! `no_std` library. The driver (`DriverEntry`, the WDF WMI provider for
//! `MSiSCSI_SecurityConfigOperations` and `MSiSCSI_Operations`, the registry store) will be
//! added behind `cfg(windows)` with its `wdk-*` dependencies target-gated, so that this crate
//! stays empty and buildable on other systems.

#![no_std]
