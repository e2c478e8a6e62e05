//! Production's dependencies, apart from staging's.

use crate::check::{shell_quote, unmet, CheckContext, CheckError};
use crate::disruption;

use super::release::marker;

pub fn separate_node_modules(ctx: &CheckContext) -> Result<(), CheckError> {
    let production = format!("{}/node_modules", ctx.profile.production_build.source_dir);
    let staging = &ctx.profile.staging.node_modules;
    let script = format!(
        r#"production={production}; staging={staging}
echo "production_real=$(realpath -e "$production" 2>/dev/null)"
echo "staging_real=$(realpath -e "$staging" 2>/dev/null)"
echo "production_entries=$(ls -A "$production" 2>/dev/null | wc -l)"
staging_real=$(realpath -e "$staging" 2>/dev/null)
echo "links_into_staging=$(find "$production"/ -type l -exec realpath -m {{}} + 2>/dev/null | grep -c "^$staging_real/" )"
echo "shared_inodes=$(comm -12 <(find "$production"/ -type f -printf '%D:%i\n' 2>/dev/null | sort -u) <(find "$staging"/ -type f -printf '%D:%i\n' 2>/dev/null | sort -u) | wc -l)""#,
        production = shell_quote(&production),
        staging = shell_quote(staging),
    );
    let output = ctx.query("production and staging node_modules", &script)?;
    let value = |key| marker(&output.stdout, key).unwrap_or("").trim().to_string();
    let production_real = value("production_real");
    let staging_real = value("staging_real");

    if production_real.is_empty() || value("production_entries") == "0" {
        return Err(unmet(format!("{production} to exist and hold packages"), "missing or empty"));
    }
    if production_real == staging_real
        || production_real.starts_with(&format!("{staging_real}/"))
        || staging_real.starts_with(&format!("{production_real}/"))
    {
        return Err(unmet(
            "production's node_modules to be a different directory from staging's",
            format!("both resolve to {production_real} and {staging_real}"),
        ));
    }
    if value("links_into_staging") != "0" {
        return Err(unmet(
            "no symbolic link in production's node_modules to point into staging's",
            format!("{} links do", value("links_into_staging")),
        ));
    }
    if value("shared_inodes") != "0" {
        return Err(unmet(
            "no file shared (hard-linked) between production's and staging's node_modules",
            format!("{} files are the same inode", value("shared_inodes")),
        ));
    }
    Ok(())
}

pub fn staging_install_isolated(ctx: &CheckContext) -> Result<(), CheckError> {
    let production = &ctx.profile.production_build.source_dir;
    let staging = &ctx.profile.staging;
    // Staging's manifest, lockfile and node_modules are kept aside and put
    // back afterwards, so the install leaves staging as it was.
    let script = format!(
        r#"production={production}; staging={staging_dir}
tree_hash() {{ (cd "$1" 2>/dev/null && find . \( -type f -o -type l \) -print0 | sort -z | xargs -0 -r sha256sum | sha256sum | cut -d' ' -f1); }}
lockfiles_hash() {{ cat "$1"/bun.lock "$1"/bun.lockb 2>/dev/null | sha256sum | cut -d' ' -f1; }}
production_state() {{ echo "$(ls "$production/node_modules" | tr '\n' ' ')|$(tree_hash "$production/node_modules")|$(lockfiles_hash "$production")|$(sha256sum < "$production/package.json")"; }}
keep=$(mktemp -d /tmp/alive-suite-staging.XXXXXX)
cp -a "$staging/package.json" "$keep/"; cp -a "$staging"/bun.lock* "$keep/" 2>/dev/null; cp -a "$staging/node_modules" "$keep/"
production_before=$(production_state); staging_lock_before=$(lockfiles_hash "$staging")
( cd "$staging" && {install} ); status=$?
production_after=$(production_state); staging_lock_after=$(lockfiles_hash "$staging")
rm -rf "$staging/node_modules"; cp -a "$keep/." "$staging/"; rm -rf "$keep"
echo "install_status=$status"
[ "$production_before" = "$production_after" ] && echo "production_unchanged=yes" || echo "production_unchanged=no"
[ "$staging_lock_before" != "$staging_lock_after" ] && echo "staging_lock_changed=yes" || echo "staging_lock_changed=no""#,
        production = shell_quote(production),
        staging_dir = shell_quote(&staging.dir),
        install = staging.install,
    );
    disruption::record_begin(ctx, "staging dependency install")?;
    let output = ctx.run_with_timeout("staging dependency install", &script, std::time::Duration::from_secs(300));
    disruption::record_end(ctx, "staging dependency install")?;
    let output = output?;

    if marker(&output.stdout, "install_status") != Some("0") {
        return Err(unmet(format!("`{}` in staging to succeed", staging.install), "it failed; see its output"));
    }
    if marker(&output.stdout, "production_unchanged") != Some("yes") {
        return Err(unmet(
            "production's node_modules listing and content, lockfile and package.json to stay the same",
            "they changed",
        ));
    }
    if marker(&output.stdout, "staging_lock_changed") != Some("yes") {
        return Err(unmet("staging's lockfile to record the new package", "it did not change"));
    }
    Ok(())
}
