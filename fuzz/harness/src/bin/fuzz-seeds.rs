//! `cargo run -p fuzz-harness --bin fuzz-seeds`: rebuilds `fuzz/seeds/` from the repository's
//! files (see `fuzz_harness::seeds`), then prints each target's count and size.

fn main() -> std::io::Result<()> {
    let root = fuzz_harness::repo_root();
    let corpora = fuzz_harness::seeds::build(&root)?;
    fuzz_harness::seeds::write(&root, &corpora)?;
    for (target, files) in &corpora {
        let bytes: usize = files.values().map(Vec::len).sum();
        println!("{target}: {} files, {bytes} bytes", files.len());
    }
    Ok(())
}
