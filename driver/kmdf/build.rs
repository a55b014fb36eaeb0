//! Build script: on a Windows target, configure the kernel-mode link (wdk-build) and embed
//! the compiled MOF as the `MOFDATA` resource; elsewhere nothing (the stand-in needs no
//! build step).

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=../../inf/iscsisec.mof");
    println!("cargo::rerun-if-changed=../../inf/iscsisec.rc");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("windows") {
        windows::configure();
    }
}

/// The WDK build needs a Windows host (wdk-build refuses others, `shared/reference/wdk-rs.md`
/// §5.3): a cross build from elsewhere stops here with the reason.
#[cfg(not(windows))]
mod windows {
    pub(super) fn configure() {
        panic!("iscsisec.sys is built on a Windows host with the WDK; this host is not Windows");
    }
}

#[cfg(windows)]
mod windows {
    use std::path::PathBuf;
    use std::process::Command;

    /// `configure_wdk_binary_build` (links, entry point, `/DRIVER`; needs `+crt-static`),
    /// then `mofcomp -WMI -B:<out>/iscsisec.bmf inf/iscsisec.mof` and the `.rc` that names
    /// the result `IscsiSecWmi MOFDATA`.
    pub(super) fn configure() {
        if let Err(error) = wdk_build::configure_wdk_binary_build() {
            panic!("wdk-build could not configure the driver build: {error:?}");
        }
        let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR is set by cargo"));
        let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
        let inf = manifest.join("..").join("..").join("inf");
        let bmf = out.join("iscsisec.bmf");
        let status = Command::new("mofcomp")
            .arg("-WMI")
            .arg(format!("-B:{}", bmf.display()))
            .arg(inf.join("iscsisec.mof"))
            .status()
            .expect("mofcomp (from the Windows SDK) must be on PATH");
        assert!(status.success(), "mofcomp failed on inf/iscsisec.mof");
        // The .rc names the .bmf by file name: compile a copy that sits next to it.
        let rc = out.join("iscsisec.rc");
        std::fs::copy(inf.join("iscsisec.rc"), &rc).expect("copy inf/iscsisec.rc to OUT_DIR");
        embed_resource::compile(&rc, embed_resource::NONE)
            .manifest_required()
            .expect("rc.exe could not compile the MOFDATA resource");
    }
}
