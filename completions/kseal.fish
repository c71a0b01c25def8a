# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kseal_global_optspecs
    string join \n kubeconfig= context= request-timeout= n/namespace= h/help V/version
end

function __fish_kseal_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kseal_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kseal_using_subcommand
    set -l cmd (__fish_kseal_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kseal -n "__fish_kseal_needs_command" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kseal -n "__fish_kseal_needs_command" -l context -d 'The kubeconfig context to use' -r
complete -c kseal -n "__fish_kseal_needs_command" -l request-timeout -d 'How long one API request may take before it fails, as kubectl\'s flag: `30s` (the default), `2m`; `0` waits forever' -r
complete -c kseal -n "__fish_kseal_needs_command" -s n -l namespace -d 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)' -r
complete -c kseal -n "__fish_kseal_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kseal -n "__fish_kseal_needs_command" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "keygen" -d 'Generate a new X25519 identity in age format'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "seal" -d 'Seal every plaintext Secret value, changing nothing else in the file'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "set" -d 'Seal one value (read from stdin or a file) into a Secret of a sealed file'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "open" -d 'Render plain manifests on stdout: sealed values opened with your identities'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "reseal" -d 'Key rotation: open sealed values with the old key and seal them again to the current recipients'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "edit" -d 'Edit a sealed file\'s values in $EDITOR; re-seals only what changed'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "apply" -d 'Open sealed manifests and server-side apply them to the cluster'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "cluster" -d 'The cluster\'s key pair, stored in the cluster: init, fetch-key, rotate-key, backup'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "webhook" -d 'Serve the mutating admission webhook that opens sealed Secrets as they are written'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "controller" -d 'Run in the cluster: turn each KsealSecret into its Secret, with no inbound port'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "verify" -d 'Check that every Secret value is sealed, well formed and to the right keys (no private key needed)'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "convert" -d 'Switch sealed files between a Secret and a KsealSecret (for `kseal controller`); values unchanged'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "import-sops" -d 'Convert SOPS-encrypted Secrets (age) into kseal-sealed Secrets'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "import-sealedsecret" -d 'Convert Bitnami SealedSecrets into kseal-sealed Secrets, with the controller\'s private key'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "ls" -d 'List sealed Secrets: file, name, scope, key ids, keys (no private key needed)'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "textconv" -d 'Print a file with sealed values as short placeholders, for `git diff` (diff.kseal.textconv)'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "scan" -d 'Find plaintext Secrets in a repository\'s files, so leaks are found and rotated'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "hook" -d 'Git hooks: `kseal hook install` adds a pre-commit hook running `kseal scan --staged`'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "render" -d 'Render an app (Kustomize, Helm or plain YAML) and open its sealed values: the Argo CD plugin'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "krm" -d 'Kustomize KRM exec function: open the sealed Secrets of a ResourceList on stdin'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "version" -d 'Print kseal\'s version and the sealed value format it writes'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "man" -d 'Write a man page per command into DIR (for packagers)'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "__complete" -d 'Complete a kubectl plugin command line (for kubectl_complete-kseal)'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "copy-self" -d 'Copy this binary into DIR (an init container of a shell-less image hands kseal to a sidecar)'
complete -c kseal -n "__fish_kseal_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kseal -n "__fish_kseal_using_subcommand keygen" -s o -l output -d 'Write the identity to FILE (mode 0600; refuses to overwrite)' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand keygen" -s y -d 'Print the recipient (age1...) of each identity in FILE instead of making one' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand keygen" -l public-key-out -d 'Also write the public key to FILE: the recipients file `seal -R` and `.kseal.yaml` name (e.g. keys/prod.pub)' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand keygen" -s h -l help -d 'Print help'
complete -c kseal -n "__fish_kseal_using_subcommand keygen" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand seal" -s r -l recipient -d 'Seal to this recipient (age1...). Repeatable: the value is sealed to each' -r
complete -c kseal -n "__fish_kseal_using_subcommand seal" -s R -l recipients-file -d 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand seal" -l scope -d 'What a sealed value is bound to [default: the .kseal.yaml rule\'s, else strict]. strict: namespace, Secret name and key. namespace: the namespace. cluster: nothing' -r -f -a "strict\t'Bound to namespace, Secret name and key: the value opens only where it was sealed'
namespace\t'Bound to the namespace: the value may move between Secrets and keys of one namespace'
cluster\t'Bound to nothing but the cluster key'"
complete -c kseal -n "__fish_kseal_using_subcommand seal" -s o -l output -d 'Write the result to FILE instead of stdout' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand seal" -s k -l kustomize -d 'Seal, in place (-w), the files whose Secrets the kustomization DIR renders, bound to the namespace and name it renders them as (namePrefix, nameSuffix, namespace). Repeatable: a base shared by overlays must render under one identity' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand seal" -l name -d 'With --raw: the name of the Secret the value goes in (strict scope binds to it)' -r
complete -c kseal -n "__fish_kseal_using_subcommand seal" -l key -d 'With --raw: the key under data or stringData the value goes in' -r
complete -c kseal -n "__fish_kseal_using_subcommand seal" -s n -l namespace -d 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)' -r
complete -c kseal -n "__fish_kseal_using_subcommand seal" -l exclude -d 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too' -r
complete -c kseal -n "__fish_kseal_using_subcommand seal" -s w -l write -d 'Write each file in place (atomically: temporary file, then rename)'
complete -c kseal -n "__fish_kseal_using_subcommand seal" -l raw -d 'Seal one value from stdin and print it alone (for a Helm values file), bound to -n, --name and --key'
complete -c kseal -n "__fish_kseal_using_subcommand seal" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kseal -n "__fish_kseal_using_subcommand seal" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand set" -l from-file -d 'Read the value from F instead of stdin' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand set" -s r -l recipient -d 'Seal to this recipient (age1...). Repeatable: the value is sealed to each' -r
complete -c kseal -n "__fish_kseal_using_subcommand set" -s R -l recipients-file -d 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand set" -l scope -d 'What a sealed value is bound to [default: the .kseal.yaml rule\'s, else strict]. strict: namespace, Secret name and key. namespace: the namespace. cluster: nothing' -r -f -a "strict\t'Bound to namespace, Secret name and key: the value opens only where it was sealed'
namespace\t'Bound to the namespace: the value may move between Secrets and keys of one namespace'
cluster\t'Bound to nothing but the cluster key'"
complete -c kseal -n "__fish_kseal_using_subcommand set" -s n -l namespace -d 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)' -r
complete -c kseal -n "__fish_kseal_using_subcommand set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kseal -n "__fish_kseal_using_subcommand set" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand open" -s i -l identity -d 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand open" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand open" -l context -d 'The kubeconfig context to use' -r
complete -c kseal -n "__fish_kseal_using_subcommand open" -l request-timeout -d 'How long one API request may take before it fails, as kubectl\'s flag: `30s` (the default), `2m`; `0` waits forever' -r
complete -c kseal -n "__fish_kseal_using_subcommand open" -s o -l output -d 'Write the plain manifests to FILE (mode 0600) instead of stdout' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand open" -s n -l namespace -d 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)' -r
complete -c kseal -n "__fish_kseal_using_subcommand open" -l exclude -d 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too' -r
complete -c kseal -n "__fish_kseal_using_subcommand open" -l identity-from-cluster -d 'Read the identities from the cluster\'s kseal-keys Secret (needs get on that one Secret)'
complete -c kseal -n "__fish_kseal_using_subcommand open" -l ignore-mac -d 'Open SOPS files even when their MAC does not match (the values may have been altered)'
complete -c kseal -n "__fish_kseal_using_subcommand open" -s h -l help -d 'Print help'
complete -c kseal -n "__fish_kseal_using_subcommand open" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand reseal" -s i -l identity -d 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand reseal" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand reseal" -l context -d 'The kubeconfig context to use' -r
complete -c kseal -n "__fish_kseal_using_subcommand reseal" -l request-timeout -d 'How long one API request may take before it fails, as kubectl\'s flag: `30s` (the default), `2m`; `0` waits forever' -r
complete -c kseal -n "__fish_kseal_using_subcommand reseal" -s r -l recipient -d 'Seal to this recipient (age1...). Repeatable: the value is sealed to each' -r
complete -c kseal -n "__fish_kseal_using_subcommand reseal" -s R -l recipients-file -d 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand reseal" -l scope -d 'Seal every value with this scope instead of its own (a strict value that two overlays apply under two names, moved to namespace scope)' -r -f -a "strict\t'Bound to namespace, Secret name and key: the value opens only where it was sealed'
namespace\t'Bound to the namespace: the value may move between Secrets and keys of one namespace'
cluster\t'Bound to nothing but the cluster key'"
complete -c kseal -n "__fish_kseal_using_subcommand reseal" -s k -l kustomize -d 'The files whose Secrets the kustomization DIR renders, opened and sealed for the namespace and name it renders them as (as `seal -w -k`). Repeatable' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand reseal" -s n -l namespace -d 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)' -r
complete -c kseal -n "__fish_kseal_using_subcommand reseal" -l exclude -d 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too' -r
complete -c kseal -n "__fish_kseal_using_subcommand reseal" -l identity-from-cluster -d 'Read the identities from the cluster\'s kseal-keys Secret (needs get on that one Secret)'
complete -c kseal -n "__fish_kseal_using_subcommand reseal" -l check -d 'Change nothing: report what would be resealed, exit 1 if anything would'
complete -c kseal -n "__fish_kseal_using_subcommand reseal" -s w -l write -d 'Write files in place: what reseal always does with paths; accepted so that `seal -w` habits (and the commands kseal\'s messages print) work'
complete -c kseal -n "__fish_kseal_using_subcommand reseal" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kseal -n "__fish_kseal_using_subcommand reseal" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand edit" -s i -l identity -d 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand edit" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand edit" -l context -d 'The kubeconfig context to use' -r
complete -c kseal -n "__fish_kseal_using_subcommand edit" -l request-timeout -d 'How long one API request may take before it fails, as kubectl\'s flag: `30s` (the default), `2m`; `0` waits forever' -r
complete -c kseal -n "__fish_kseal_using_subcommand edit" -s r -l recipient -d 'Seal to this recipient (age1...). Repeatable: the value is sealed to each' -r
complete -c kseal -n "__fish_kseal_using_subcommand edit" -s R -l recipients-file -d 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand edit" -l scope -d 'What a sealed value is bound to [default: the .kseal.yaml rule\'s, else strict]. strict: namespace, Secret name and key. namespace: the namespace. cluster: nothing' -r -f -a "strict\t'Bound to namespace, Secret name and key: the value opens only where it was sealed'
namespace\t'Bound to the namespace: the value may move between Secrets and keys of one namespace'
cluster\t'Bound to nothing but the cluster key'"
complete -c kseal -n "__fish_kseal_using_subcommand edit" -s n -l namespace -d 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)' -r
complete -c kseal -n "__fish_kseal_using_subcommand edit" -l identity-from-cluster -d 'Read the identities from the cluster\'s kseal-keys Secret (needs get on that one Secret)'
complete -c kseal -n "__fish_kseal_using_subcommand edit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kseal -n "__fish_kseal_using_subcommand edit" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand apply" -s f -l filename -d 'A file or folder to apply, as kubectl\'s -f. Repeatable' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand apply" -s k -l kustomize -d 'Apply what the kustomization DIR renders (kustomize build, else kubectl kustomize), as kubectl\'s -k. Repeatable' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand apply" -s i -l identity -d 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand apply" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand apply" -l context -d 'The kubeconfig context to use' -r
complete -c kseal -n "__fish_kseal_using_subcommand apply" -l request-timeout -d 'How long one API request may take before it fails, as kubectl\'s flag: `30s` (the default), `2m`; `0` waits forever' -r
complete -c kseal -n "__fish_kseal_using_subcommand apply" -l dry-run -d '`server`: validate and merge on the server without persisting anything. `client` (or bare `--dry-run`): open and check everything here, send nothing. `none`: apply' -r -f -a "none\t'Apply (kubectl\'s word for no dry run)'
client\t'Open and check every object here, send nothing (kubectl\'s bare `--dry-run`)'
server\t'Send every request with dryRun=All: the server validates and merges, and persists nothing'"
complete -c kseal -n "__fish_kseal_using_subcommand apply" -l concurrency -d 'Requests in flight at once' -r
complete -c kseal -n "__fish_kseal_using_subcommand apply" -s n -l namespace -d 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)' -r
complete -c kseal -n "__fish_kseal_using_subcommand apply" -l exclude -d 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too' -r
complete -c kseal -n "__fish_kseal_using_subcommand apply" -l identity-from-cluster -d 'Read the identities from the cluster\'s kseal-keys Secret (needs get on that one Secret)'
complete -c kseal -n "__fish_kseal_using_subcommand apply" -l server-side -d 'Accepted for kubectl\'s habit: kseal always applies server-side'
complete -c kseal -n "__fish_kseal_using_subcommand apply" -l diff -d 'Show what would change (keys of Secrets, by hash), apply nothing'
complete -c kseal -n "__fish_kseal_using_subcommand apply" -l force-conflicts -d 'Take over fields that another field manager owns (otherwise such a change fails with 409)'
complete -c kseal -n "__fish_kseal_using_subcommand apply" -l remove-last-applied -d 'Drop a Secret\'s kubectl.kubernetes.io/last-applied-configuration annotation, left by an earlier client-side `kubectl apply` (it holds that apply\'s values in plain text)'
complete -c kseal -n "__fish_kseal_using_subcommand apply" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kseal -n "__fish_kseal_using_subcommand apply" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and not __fish_seen_subcommand_from init fetch-key rotate-key backup restore webhook help" -s h -l help -d 'Print help'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and not __fish_seen_subcommand_from init fetch-key rotate-key backup restore webhook help" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and not __fish_seen_subcommand_from init fetch-key rotate-key backup restore webhook help" -f -a "init" -d 'Create the key pair in the cluster (refuses if it exists)'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and not __fish_seen_subcommand_from init fetch-key rotate-key backup restore webhook help" -f -a "fetch-key" -d 'Print the cluster\'s newest public key (age1...)'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and not __fish_seen_subcommand_from init fetch-key rotate-key backup restore webhook help" -f -a "rotate-key" -d 'Add a newer key: sealing uses it from now on, opening still tries every key'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and not __fish_seen_subcommand_from init fetch-key rotate-key backup restore webhook help" -f -a "backup" -d 'Write every key of the cluster, age-encrypted to offline recipients'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and not __fish_seen_subcommand_from init fetch-key rotate-key backup restore webhook help" -f -a "restore" -d 'Put the keys of a backup into a cluster that has none (a rebuilt cluster), under their names'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and not __fish_seen_subcommand_from init fetch-key rotate-key backup restore webhook help" -f -a "webhook" -d 'The admission webhook that opens sealed Secrets as they are written: install, rotate-cert'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and not __fish_seen_subcommand_from init fetch-key rotate-key backup restore webhook help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from init" -l backup-to -d 'Also write the new private key encrypted to this age recipient (repeatable), to --backup-out' -r
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from init" -l backup-out -d 'Where the encrypted backup goes (created, mode 0600, never overwritten)' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from init" -l public-key-out -d 'Write the public key to FILE (a recipients file for `seal -R`)' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from init" -l image -d 'With --webhook or --controller: the kseal image their Deployment runs' -r
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from init" -s o -l admission-out -d 'Write the API server\'s admission configuration and the kubeconfig with its client certificate (0600) into DIR' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from init" -l apiserver-dir -d 'Where those files will be on the control plane (the configuration names the kubeconfig by this absolute path); default: DIR itself' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from init" -l url -d 'Call the webhook at this https URL instead of the in-cluster Service (a webhook run outside the cluster); the Deployment, Service and NetworkPolicy are then not installed' -r
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from init" -l apiserver-cidr -d 'With --webhook: admit the admission port from this address block only (repeatable)' -r
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from init" -l from-backup -d 'Set up with the keys of a backup (`cluster backup`, `--backup-to`) instead of a new key, under their entry names, as `cluster restore` does: a rebuilt cluster opens what was sealed before' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from init" -s i -l identity -d 'With --from-backup: the offline identity the backup was encrypted to (repeatable)' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from init" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from init" -l context -d 'The kubeconfig context to use' -r
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from init" -l request-timeout -d 'How long one API request may take before it fails, as kubectl\'s flag: `30s` (the default), `2m`; `0` waits forever' -r
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from init" -l webhook -d 'Also install the admission webhook (as `kseal cluster webhook install`), so Flux, Argo CD and `kubectl apply` can apply sealed manifests unchanged'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from init" -l controller -d 'Also install `kseal controller` (deploy/controller/: the KsealSecret CRD, RBAC, Deployment) and the policy refusing sealed values in Secrets: the mode for managed control planes, which cannot call a webhook with a client certificate (README "Which in-cluster mode")'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from init" -l force -d 'Write into DIR even where git would commit the files (a git work tree that does not ignore them); kseal refuses otherwise, since the kubeconfig holds the API server\'s client key'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from init" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from fetch-key" -s o -l output -d 'Write the public key to FILE instead of stdout' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from fetch-key" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from fetch-key" -l context -d 'The kubeconfig context to use' -r
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from fetch-key" -l request-timeout -d 'How long one API request may take before it fails, as kubectl\'s flag: `30s` (the default), `2m`; `0` waits forever' -r
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from fetch-key" -s h -l help -d 'Print help'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from fetch-key" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from rotate-key" -l public-key-out -d 'Write the new public key to FILE' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from rotate-key" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from rotate-key" -l context -d 'The kubeconfig context to use' -r
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from rotate-key" -l request-timeout -d 'How long one API request may take before it fails, as kubectl\'s flag: `30s` (the default), `2m`; `0` waits forever' -r
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from rotate-key" -l keep-recipients -d 'Leave the recipients files of the `.kseal.yaml` here as they are. By default a file that holds the cluster\'s previous key gets the new one in its place (other keys and comments kept), so `seal` uses the new key and `verify` reports values still sealed to the old one'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from rotate-key" -s h -l help -d 'Print help'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from rotate-key" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from backup" -l to -d 'Encrypt to this age recipient (repeatable; at least one)' -r
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from backup" -s o -l output -d 'The backup file (created, mode 0600, never overwritten)' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from backup" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from backup" -l context -d 'The kubeconfig context to use' -r
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from backup" -l request-timeout -d 'How long one API request may take before it fails, as kubectl\'s flag: `30s` (the default), `2m`; `0` waits forever' -r
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from backup" -s h -l help -d 'Print help'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from backup" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from restore" -s i -l identity -d 'The offline identity the backup was encrypted to (repeatable)' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from restore" -l keys-namespace -d 'Make the key Secret in this namespace instead of kseal\'s own: Argo CD\'s (`argocd`), whose repo-server sidecar mounts secret kseal-keys (deploy/argocd/). Only the Secret is made there; the namespace must exist' -r
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from restore" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from restore" -l context -d 'The kubeconfig context to use' -r
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from restore" -l request-timeout -d 'How long one API request may take before it fails, as kubectl\'s flag: `30s` (the default), `2m`; `0` waits forever' -r
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from restore" -s h -l help -d 'Print help'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from restore" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from webhook" -s h -l help -d 'Print help'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from webhook" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from webhook" -f -a "install" -d 'Install or update the webhook (deploy/webhook/webhook.yaml) and its serving certificate'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from webhook" -f -a "rotate-cert" -d 'New serving and client certificates and CAs; the previous CAs stay trusted until the next rotation'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from webhook" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from help" -f -a "init" -d 'Create the key pair in the cluster (refuses if it exists)'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from help" -f -a "fetch-key" -d 'Print the cluster\'s newest public key (age1...)'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from help" -f -a "rotate-key" -d 'Add a newer key: sealing uses it from now on, opening still tries every key'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from help" -f -a "backup" -d 'Write every key of the cluster, age-encrypted to offline recipients'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from help" -f -a "restore" -d 'Put the keys of a backup into a cluster that has none (a rebuilt cluster), under their names'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from help" -f -a "webhook" -d 'The admission webhook that opens sealed Secrets as they are written: install, rotate-cert'
complete -c kseal -n "__fish_kseal_using_subcommand cluster; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kseal -n "__fish_kseal_using_subcommand webhook" -l keys -d 'Folder of the cluster\'s *.agekey files: the `kseal-keys` Secret mounted as a volume' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand webhook" -l tls -d 'Folder with tls.crt and tls.key: the serving certificate\'s Secret mounted as a volume' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand webhook" -l client-ca -d 'CA bundle (PEM) the callers\' client certificates must chain to: the `ca.crt` of the `kseal-webhook-client` Secret, whose certificate the API server presents. Re-read on change' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand webhook" -l listen -d 'Address to listen on (port 0 picks a free port; the address is printed on stderr)' -r
complete -c kseal -n "__fish_kseal_using_subcommand webhook" -l probe-listen -d 'Also serve GET /healthz and /readyz in plain HTTP here, for the kubelet\'s probes (which present no client certificate)' -r
complete -c kseal -n "__fish_kseal_using_subcommand webhook" -l reload-every -d 'How often to check the key and certificate folders for change' -r
complete -c kseal -n "__fish_kseal_using_subcommand webhook" -l drain -d 'After SIGTERM, how long open requests may take to finish' -r
complete -c kseal -n "__fish_kseal_using_subcommand webhook" -l insecure-no-client-auth -d 'Serve any TLS client, for control planes whose admission configuration cannot be set: anything that reaches the port can then have sealed values opened (use the NetworkPolicy)'
complete -c kseal -n "__fish_kseal_using_subcommand webhook" -s h -l help -d 'Print help'
complete -c kseal -n "__fish_kseal_using_subcommand webhook" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand controller" -l keys -d 'The folder of *.agekey files: the kseal-keys Secret mounted as a volume. Re-read on change' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand controller" -l probe-listen -d 'Serve GET /healthz, /readyz and /metrics in plain HTTP here (the kubelet\'s probes)' -r
complete -c kseal -n "__fish_kseal_using_subcommand controller" -l watch-namespace -d 'Watch KsealSecrets in this namespace only (repeatable); default: every namespace' -r
complete -c kseal -n "__fish_kseal_using_subcommand controller" -l lease-namespace -d 'The namespace of the leader Lease [default: the Pod\'s namespace, else kseal]' -r
complete -c kseal -n "__fish_kseal_using_subcommand controller" -l lease-name -d 'The name of the leader Lease' -r
complete -c kseal -n "__fish_kseal_using_subcommand controller" -l lease-duration -d 'How long a lease lasts without renewal before another replica takes it' -r
complete -c kseal -n "__fish_kseal_using_subcommand controller" -l renew-every -d 'How often the leader renews the lease (and candidates look at it)' -r
complete -c kseal -n "__fish_kseal_using_subcommand controller" -l reload-every -d 'How often the key folder is checked for change' -r
complete -c kseal -n "__fish_kseal_using_subcommand controller" -l retry-after -d 'How long after a failure a KsealSecret is tried again' -r
complete -c kseal -n "__fish_kseal_using_subcommand controller" -l renew-keys-every -d 'Add a new key when the published one is this old (e.g. 720h, as sealed-secrets\' 30 days); old keys are kept. Needs deploy/controller/renew-keys.yaml. Default: never' -r
complete -c kseal -n "__fish_kseal_using_subcommand controller" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand controller" -l context -d 'The kubeconfig context to use' -r
complete -c kseal -n "__fish_kseal_using_subcommand controller" -l request-timeout -d 'How long one API request may take before it fails, as kubectl\'s flag: `30s` (the default), `2m`; `0` waits forever' -r
complete -c kseal -n "__fish_kseal_using_subcommand controller" -s h -l help -d 'Print help'
complete -c kseal -n "__fish_kseal_using_subcommand controller" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand verify" -s r -l recipient -d 'Seal to this recipient (age1...). Repeatable: the value is sealed to each' -r
complete -c kseal -n "__fish_kseal_using_subcommand verify" -s R -l recipients-file -d 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand verify" -s k -l kustomize -d 'Verify the files whose Secrets the kustomization DIR renders, where they land, as `kseal seal -w -k DIR` sealed them (recipients: the union of the rules of every kustomization of the repository that renders a file); and the rendered Secrets for plaintext. Repeatable' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand verify" -s n -l namespace -d 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)' -r
complete -c kseal -n "__fish_kseal_using_subcommand verify" -l exclude -d 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too' -r
complete -c kseal -n "__fish_kseal_using_subcommand verify" -s h -l help -d 'Print help'
complete -c kseal -n "__fish_kseal_using_subcommand verify" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand convert" -l to -d 'The kind to write' -r -f -a "secret\t'apiVersion v1, kind Secret'
ksealsecret\t'apiVersion kseal.dev/v1, kind KsealSecret (for `kseal controller`)'"
complete -c kseal -n "__fish_kseal_using_subcommand convert" -s o -l output -d 'Write the result to FILE instead of stdout' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand convert" -l exclude -d 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too' -r
complete -c kseal -n "__fish_kseal_using_subcommand convert" -s w -l write -d 'Write each file in place (atomically: temporary file, then rename)'
complete -c kseal -n "__fish_kseal_using_subcommand convert" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kseal -n "__fish_kseal_using_subcommand convert" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand import-sops" -s i -l identity -d 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand import-sops" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand import-sops" -l context -d 'The kubeconfig context to use' -r
complete -c kseal -n "__fish_kseal_using_subcommand import-sops" -l request-timeout -d 'How long one API request may take before it fails, as kubectl\'s flag: `30s` (the default), `2m`; `0` waits forever' -r
complete -c kseal -n "__fish_kseal_using_subcommand import-sops" -s r -l recipient -d 'Seal to this recipient (age1...). Repeatable: the value is sealed to each' -r
complete -c kseal -n "__fish_kseal_using_subcommand import-sops" -s R -l recipients-file -d 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand import-sops" -l scope -d 'What a sealed value is bound to [default: the .kseal.yaml rule\'s, else strict]. strict: namespace, Secret name and key. namespace: the namespace. cluster: nothing' -r -f -a "strict\t'Bound to namespace, Secret name and key: the value opens only where it was sealed'
namespace\t'Bound to the namespace: the value may move between Secrets and keys of one namespace'
cluster\t'Bound to nothing but the cluster key'"
complete -c kseal -n "__fish_kseal_using_subcommand import-sops" -s n -l namespace -d 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)' -r
complete -c kseal -n "__fish_kseal_using_subcommand import-sops" -l exclude -d 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too' -r
complete -c kseal -n "__fish_kseal_using_subcommand import-sops" -l identity-from-cluster -d 'Read the identities from the cluster\'s kseal-keys Secret (needs get on that one Secret)'
complete -c kseal -n "__fish_kseal_using_subcommand import-sops" -s w -l write -d 'Replace each file in place (atomically) instead of printing to stdout'
complete -c kseal -n "__fish_kseal_using_subcommand import-sops" -l ignore-mac -d 'Import even when the SOPS MAC does not match (the values may have been altered)'
complete -c kseal -n "__fish_kseal_using_subcommand import-sops" -l keep-going -d 'With -w: when some files fail, still write the ones that converted (and exit 1). Without it, every failing file is named and nothing is written'
complete -c kseal -n "__fish_kseal_using_subcommand import-sops" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kseal -n "__fish_kseal_using_subcommand import-sops" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand import-sealedsecret" -l controller-key -d 'The controller\'s private keys: PEM, or the YAML of its key Secrets (see below); refused when group or others can read it (`chmod 600`), as identity files are' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand import-sealedsecret" -l controller-namespace -d 'With --controller-keys-from-cluster: the controller\'s namespace' -r
complete -c kseal -n "__fish_kseal_using_subcommand import-sealedsecret" -s r -l recipient -d 'Seal to this recipient (age1...). Repeatable: the value is sealed to each' -r
complete -c kseal -n "__fish_kseal_using_subcommand import-sealedsecret" -s R -l recipients-file -d 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand import-sealedsecret" -s n -l namespace -d 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)' -r
complete -c kseal -n "__fish_kseal_using_subcommand import-sealedsecret" -l exclude -d 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too' -r
complete -c kseal -n "__fish_kseal_using_subcommand import-sealedsecret" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand import-sealedsecret" -l context -d 'The kubeconfig context to use' -r
complete -c kseal -n "__fish_kseal_using_subcommand import-sealedsecret" -l request-timeout -d 'How long one API request may take before it fails, as kubectl\'s flag: `30s` (the default), `2m`; `0` waits forever' -r
complete -c kseal -n "__fish_kseal_using_subcommand import-sealedsecret" -l controller-keys-from-cluster -d 'Read the controller\'s keys from the cluster (the Secrets labelled sealedsecrets.bitnami.com/sealed-secrets-key), into memory only: no key file on disk'
complete -c kseal -n "__fish_kseal_using_subcommand import-sealedsecret" -s w -l write -d 'Replace each file in place (atomically) instead of printing to stdout'
complete -c kseal -n "__fish_kseal_using_subcommand import-sealedsecret" -s h -l help -d 'Print help'
complete -c kseal -n "__fish_kseal_using_subcommand import-sealedsecret" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand ls" -l kid -d 'Only Secrets with a value sealed to this key: a kid (8 hex) or a recipient (age1...)' -r
complete -c kseal -n "__fish_kseal_using_subcommand ls" -l format -d 'text: one aligned line per Secret; json: one JSON object per line' -r -f -a "text\t''
json\t''"
complete -c kseal -n "__fish_kseal_using_subcommand ls" -l exclude -d 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too' -r
complete -c kseal -n "__fish_kseal_using_subcommand ls" -s h -l help -d 'Print help'
complete -c kseal -n "__fish_kseal_using_subcommand ls" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand textconv" -s h -l help -d 'Print help'
complete -c kseal -n "__fish_kseal_using_subcommand textconv" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand scan" -l rev-range -d 'History mode: only commits reachable from B and not from A (e.g. origin/main..HEAD in CI; an annotated tag stands for the commit it tags: v1.2..v1.3)' -r
complete -c kseal -n "__fish_kseal_using_subcommand scan" -l format -d 'Output format' -r -f -a "text\t'Readable text grouped by Secret (colour on a terminal unless NO_COLOR is set)'
json\t'One JSON object per finding; usable as a --baseline file'
sarif\t'SARIF 2.1.0, for GitHub code scanning and other SARIF viewers'"
complete -c kseal -n "__fish_kseal_using_subcommand scan" -l baseline -d 'Accept the findings listed in FILE (what `kseal scan --format json` wrote) and their values wherever they appear [default: .kseal-baseline.jsonl at the top of the work tree, if any]' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand scan" -l threads -d 'Worker threads [default: the number of cores]' -r
complete -c kseal -n "__fish_kseal_using_subcommand scan" -l history -d 'Every commit of every ref [default inside a git repository]'
complete -c kseal -n "__fish_kseal_using_subcommand scan" -l staged -d 'The staged files (the index), for a pre-commit hook'
complete -c kseal -n "__fish_kseal_using_subcommand scan" -l worktree -d 'The files on disk [default outside git]; .gitignored files are skipped'
complete -c kseal -n "__fish_kseal_using_subcommand scan" -l include-unreachable -d 'History mode: also read blobs no commit reaches (not yet pruned by git gc)'
complete -c kseal -n "__fish_kseal_using_subcommand scan" -l allow-incomplete -d 'Report what could be read even when the scan is incomplete (objects that cannot be read, as in a partial clone; a shallow clone\'s missing history), with a warning, and exit by the findings; without it, an incomplete scan exits 2'
complete -c kseal -n "__fish_kseal_using_subcommand scan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kseal -n "__fish_kseal_using_subcommand scan" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand hook; and not __fish_seen_subcommand_from install help" -s h -l help -d 'Print help'
complete -c kseal -n "__fish_kseal_using_subcommand hook; and not __fish_seen_subcommand_from install help" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand hook; and not __fish_seen_subcommand_from install help" -f -a "install" -d 'Write a pre-commit hook running `kseal scan --staged` where git reads hooks (core.hooksPath, linked worktrees); never replaces a different hook'
complete -c kseal -n "__fish_kseal_using_subcommand hook; and not __fish_seen_subcommand_from install help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kseal -n "__fish_kseal_using_subcommand hook; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help'
complete -c kseal -n "__fish_kseal_using_subcommand hook; and __fish_seen_subcommand_from install" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "install" -d 'Write a pre-commit hook running `kseal scan --staged` where git reads hooks (core.hooksPath, linked worktrees); never replaces a different hook'
complete -c kseal -n "__fish_kseal_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kseal -n "__fish_kseal_using_subcommand completions" -s h -l help -d 'Print help'
complete -c kseal -n "__fish_kseal_using_subcommand completions" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand render" -s i -l identity -d 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand render" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand render" -l context -d 'The kubeconfig context to use' -r
complete -c kseal -n "__fish_kseal_using_subcommand render" -l request-timeout -d 'How long one API request may take before it fails, as kubectl\'s flag: `30s` (the default), `2m`; `0` waits forever' -r
complete -c kseal -n "__fish_kseal_using_subcommand render" -s n -l namespace -d 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)' -r
complete -c kseal -n "__fish_kseal_using_subcommand render" -l exclude -d 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too' -r
complete -c kseal -n "__fish_kseal_using_subcommand render" -l allow-chart-repository -d 'A chart repository `helm dependency build` may fetch from (repeatable; a URL prefix such as `https://charts.example.com/` or `oci://registry.example.com/charts/`). Without it, dependencies come only from inside the repository (`file://`)' -r
complete -c kseal -n "__fish_kseal_using_subcommand render" -l identity-from-cluster -d 'Read the identities from the cluster\'s kseal-keys Secret (needs get on that one Secret)'
complete -c kseal -n "__fish_kseal_using_subcommand render" -s h -l help -d 'Print help'
complete -c kseal -n "__fish_kseal_using_subcommand render" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand krm" -s i -l identity -d 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand krm" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kseal -n "__fish_kseal_using_subcommand krm" -l context -d 'The kubeconfig context to use' -r
complete -c kseal -n "__fish_kseal_using_subcommand krm" -l request-timeout -d 'How long one API request may take before it fails, as kubectl\'s flag: `30s` (the default), `2m`; `0` waits forever' -r
complete -c kseal -n "__fish_kseal_using_subcommand krm" -s n -l namespace -d 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)' -r
complete -c kseal -n "__fish_kseal_using_subcommand krm" -l identity-from-cluster -d 'Read the identities from the cluster\'s kseal-keys Secret (needs get on that one Secret)'
complete -c kseal -n "__fish_kseal_using_subcommand krm" -s h -l help -d 'Print help'
complete -c kseal -n "__fish_kseal_using_subcommand krm" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand version" -s h -l help -d 'Print help'
complete -c kseal -n "__fish_kseal_using_subcommand version" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand man" -s h -l help -d 'Print help'
complete -c kseal -n "__fish_kseal_using_subcommand man" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand __complete" -s h -l help -d 'Print help'
complete -c kseal -n "__fish_kseal_using_subcommand __complete" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand copy-self" -s h -l help -d 'Print help'
complete -c kseal -n "__fish_kseal_using_subcommand copy-self" -s V -l version -d 'Print version'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "keygen" -d 'Generate a new X25519 identity in age format'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "seal" -d 'Seal every plaintext Secret value, changing nothing else in the file'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "set" -d 'Seal one value (read from stdin or a file) into a Secret of a sealed file'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "open" -d 'Render plain manifests on stdout: sealed values opened with your identities'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "reseal" -d 'Key rotation: open sealed values with the old key and seal them again to the current recipients'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "edit" -d 'Edit a sealed file\'s values in $EDITOR; re-seals only what changed'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "apply" -d 'Open sealed manifests and server-side apply them to the cluster'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "cluster" -d 'The cluster\'s key pair, stored in the cluster: init, fetch-key, rotate-key, backup'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "webhook" -d 'Serve the mutating admission webhook that opens sealed Secrets as they are written'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "controller" -d 'Run in the cluster: turn each KsealSecret into its Secret, with no inbound port'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "verify" -d 'Check that every Secret value is sealed, well formed and to the right keys (no private key needed)'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "convert" -d 'Switch sealed files between a Secret and a KsealSecret (for `kseal controller`); values unchanged'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "import-sops" -d 'Convert SOPS-encrypted Secrets (age) into kseal-sealed Secrets'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "import-sealedsecret" -d 'Convert Bitnami SealedSecrets into kseal-sealed Secrets, with the controller\'s private key'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "ls" -d 'List sealed Secrets: file, name, scope, key ids, keys (no private key needed)'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "textconv" -d 'Print a file with sealed values as short placeholders, for `git diff` (diff.kseal.textconv)'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "scan" -d 'Find plaintext Secrets in a repository\'s files, so leaks are found and rotated'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "hook" -d 'Git hooks: `kseal hook install` adds a pre-commit hook running `kseal scan --staged`'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "completions" -d 'Print a shell completion script'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "render" -d 'Render an app (Kustomize, Helm or plain YAML) and open its sealed values: the Argo CD plugin'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "krm" -d 'Kustomize KRM exec function: open the sealed Secrets of a ResourceList on stdin'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "version" -d 'Print kseal\'s version and the sealed value format it writes'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "man" -d 'Write a man page per command into DIR (for packagers)'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "__complete" -d 'Complete a kubectl plugin command line (for kubectl_complete-kseal)'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "copy-self" -d 'Copy this binary into DIR (an init container of a shell-less image hands kseal to a sidecar)'
complete -c kseal -n "__fish_kseal_using_subcommand help; and not __fish_seen_subcommand_from keygen seal set open reseal edit apply cluster webhook controller verify convert import-sops import-sealedsecret ls textconv scan hook completions render krm version man __complete copy-self help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kseal -n "__fish_kseal_using_subcommand help; and __fish_seen_subcommand_from cluster" -f -a "init" -d 'Create the key pair in the cluster (refuses if it exists)'
complete -c kseal -n "__fish_kseal_using_subcommand help; and __fish_seen_subcommand_from cluster" -f -a "fetch-key" -d 'Print the cluster\'s newest public key (age1...)'
complete -c kseal -n "__fish_kseal_using_subcommand help; and __fish_seen_subcommand_from cluster" -f -a "rotate-key" -d 'Add a newer key: sealing uses it from now on, opening still tries every key'
complete -c kseal -n "__fish_kseal_using_subcommand help; and __fish_seen_subcommand_from cluster" -f -a "backup" -d 'Write every key of the cluster, age-encrypted to offline recipients'
complete -c kseal -n "__fish_kseal_using_subcommand help; and __fish_seen_subcommand_from cluster" -f -a "restore" -d 'Put the keys of a backup into a cluster that has none (a rebuilt cluster), under their names'
complete -c kseal -n "__fish_kseal_using_subcommand help; and __fish_seen_subcommand_from cluster" -f -a "webhook" -d 'The admission webhook that opens sealed Secrets as they are written: install, rotate-cert'
complete -c kseal -n "__fish_kseal_using_subcommand help; and __fish_seen_subcommand_from hook" -f -a "install" -d 'Write a pre-commit hook running `kseal scan --staged` where git reads hooks (core.hooksPath, linked worktrees); never replaces a different hook'
