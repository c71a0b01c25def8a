
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kseal' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kseal'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kseal' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Generate a new X25519 identity in age format')
            [CompletionResult]::new('seal', 'seal', [CompletionResultType]::ParameterValue, 'Seal every plaintext Secret value, changing nothing else in the file')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Seal one value (read from stdin or a file) into a Secret of a sealed file')
            [CompletionResult]::new('open', 'open', [CompletionResultType]::ParameterValue, 'Render plain manifests on stdout: sealed values opened with your identities')
            [CompletionResult]::new('reseal', 'reseal', [CompletionResultType]::ParameterValue, 'Key rotation: open sealed values with the old key and seal them again to the current recipients')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Edit a sealed file''s values in $EDITOR; re-seals only what changed')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Open sealed manifests and server-side apply them to the cluster')
            [CompletionResult]::new('cluster', 'cluster', [CompletionResultType]::ParameterValue, 'The cluster''s key pair, stored in the cluster: init, fetch-key, rotate-key, backup')
            [CompletionResult]::new('webhook', 'webhook', [CompletionResultType]::ParameterValue, 'Serve the mutating admission webhook that opens sealed Secrets as they are written')
            [CompletionResult]::new('controller', 'controller', [CompletionResultType]::ParameterValue, 'Run in the cluster: turn each KsealSecret into its Secret, with no inbound port')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check that every Secret value is sealed, well formed and to the right keys (no private key needed)')
            [CompletionResult]::new('convert', 'convert', [CompletionResultType]::ParameterValue, 'Switch sealed files between a Secret and a KsealSecret (for `kseal controller`); values unchanged')
            [CompletionResult]::new('import-sops', 'import-sops', [CompletionResultType]::ParameterValue, 'Convert SOPS-encrypted Secrets (age) into kseal-sealed Secrets')
            [CompletionResult]::new('import-sealedsecret', 'import-sealedsecret', [CompletionResultType]::ParameterValue, 'Convert Bitnami SealedSecrets into kseal-sealed Secrets, with the controller''s private key')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List sealed Secrets: file, name, scope, key ids, keys (no private key needed)')
            [CompletionResult]::new('textconv', 'textconv', [CompletionResultType]::ParameterValue, 'Print a file with sealed values as short placeholders, for `git diff` (diff.kseal.textconv)')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Find plaintext Secrets in a repository''s files, so leaks are found and rotated')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Git hooks: `kseal hook install` adds a pre-commit hook running `kseal scan --staged`')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('render', 'render', [CompletionResultType]::ParameterValue, 'Render an app (Kustomize, Helm or plain YAML) and open its sealed values: the Argo CD plugin')
            [CompletionResult]::new('krm', 'krm', [CompletionResultType]::ParameterValue, 'Kustomize KRM exec function: open the sealed Secrets of a ResourceList on stdin')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print kseal''s version and the sealed value format it writes')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write a man page per command into DIR (for packagers)')
            [CompletionResult]::new('__complete', '__complete', [CompletionResultType]::ParameterValue, 'Complete a kubectl plugin command line (for kubectl_complete-kseal)')
            [CompletionResult]::new('copy-self', 'copy-self', [CompletionResultType]::ParameterValue, 'Copy this binary into DIR (an init container of a shell-less image hands kseal to a sidecar)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kseal;keygen' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the identity to FILE (mode 0600; refuses to overwrite)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the identity to FILE (mode 0600; refuses to overwrite)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Print the recipient (age1...) of each identity in FILE instead of making one')
            [CompletionResult]::new('--public-key-out', '--public-key-out', [CompletionResultType]::ParameterName, 'Also write the public key to FILE: the recipients file `seal -R` and `.kseal.yaml` name (e.g. keys/prod.pub)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;seal' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Seal to this recipient (age1...). Repeatable: the value is sealed to each')
            [CompletionResult]::new('--recipient', '--recipient', [CompletionResultType]::ParameterName, 'Seal to this recipient (age1...). Repeatable: the value is sealed to each')
            [CompletionResult]::new('-R', '-R ', [CompletionResultType]::ParameterName, 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable')
            [CompletionResult]::new('--recipients-file', '--recipients-file', [CompletionResultType]::ParameterName, 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'What a sealed value is bound to [default: the .kseal.yaml rule''s, else strict]. strict: namespace, Secret name and key. namespace: the namespace. cluster: nothing')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the result to FILE instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the result to FILE instead of stdout')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Seal, in place (-w), the files whose Secrets the kustomization DIR renders, bound to the namespace and name it renders them as (namePrefix, nameSuffix, namespace). Repeatable: a base shared by overlays must render under one identity')
            [CompletionResult]::new('--kustomize', '--kustomize', [CompletionResultType]::ParameterName, 'Seal, in place (-w), the files whose Secrets the kustomization DIR renders, bound to the namespace and name it renders them as (namePrefix, nameSuffix, namespace). Repeatable: a base shared by overlays must render under one identity')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'With --raw: the name of the Secret the value goes in (strict scope binds to it)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'With --raw: the key under data or stringData the value goes in')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Write each file in place (atomically: temporary file, then rename)')
            [CompletionResult]::new('--write', '--write', [CompletionResultType]::ParameterName, 'Write each file in place (atomically: temporary file, then rename)')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Seal one value from stdin and print it alone (for a Helm values file), bound to -n, --name and --key')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;set' {
            [CompletionResult]::new('--from-file', '--from-file', [CompletionResultType]::ParameterName, 'Read the value from F instead of stdin')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Seal to this recipient (age1...). Repeatable: the value is sealed to each')
            [CompletionResult]::new('--recipient', '--recipient', [CompletionResultType]::ParameterName, 'Seal to this recipient (age1...). Repeatable: the value is sealed to each')
            [CompletionResult]::new('-R', '-R ', [CompletionResultType]::ParameterName, 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable')
            [CompletionResult]::new('--recipients-file', '--recipients-file', [CompletionResultType]::ParameterName, 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'What a sealed value is bound to [default: the .kseal.yaml rule''s, else strict]. strict: namespace, Secret name and key. namespace: the namespace. cluster: nothing')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;open' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the plain manifests to FILE (mode 0600) instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the plain manifests to FILE (mode 0600) instead of stdout')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too')
            [CompletionResult]::new('--identity-from-cluster', '--identity-from-cluster', [CompletionResultType]::ParameterName, 'Read the identities from the cluster''s kseal-keys Secret (needs get on that one Secret)')
            [CompletionResult]::new('--ignore-mac', '--ignore-mac', [CompletionResultType]::ParameterName, 'Open SOPS files even when their MAC does not match (the values may have been altered)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;reseal' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Seal to this recipient (age1...). Repeatable: the value is sealed to each')
            [CompletionResult]::new('--recipient', '--recipient', [CompletionResultType]::ParameterName, 'Seal to this recipient (age1...). Repeatable: the value is sealed to each')
            [CompletionResult]::new('-R', '-R ', [CompletionResultType]::ParameterName, 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable')
            [CompletionResult]::new('--recipients-file', '--recipients-file', [CompletionResultType]::ParameterName, 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'Seal every value with this scope instead of its own (a strict value that two overlays apply under two names, moved to namespace scope)')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'The files whose Secrets the kustomization DIR renders, opened and sealed for the namespace and name it renders them as (as `seal -w -k`). Repeatable')
            [CompletionResult]::new('--kustomize', '--kustomize', [CompletionResultType]::ParameterName, 'The files whose Secrets the kustomization DIR renders, opened and sealed for the namespace and name it renders them as (as `seal -w -k`). Repeatable')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too')
            [CompletionResult]::new('--identity-from-cluster', '--identity-from-cluster', [CompletionResultType]::ParameterName, 'Read the identities from the cluster''s kseal-keys Secret (needs get on that one Secret)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Change nothing: report what would be resealed, exit 1 if anything would')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Write files in place: what reseal always does with paths; accepted so that `seal -w` habits (and the commands kseal''s messages print) work')
            [CompletionResult]::new('--write', '--write', [CompletionResultType]::ParameterName, 'Write files in place: what reseal always does with paths; accepted so that `seal -w` habits (and the commands kseal''s messages print) work')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;edit' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Seal to this recipient (age1...). Repeatable: the value is sealed to each')
            [CompletionResult]::new('--recipient', '--recipient', [CompletionResultType]::ParameterName, 'Seal to this recipient (age1...). Repeatable: the value is sealed to each')
            [CompletionResult]::new('-R', '-R ', [CompletionResultType]::ParameterName, 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable')
            [CompletionResult]::new('--recipients-file', '--recipients-file', [CompletionResultType]::ParameterName, 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'What a sealed value is bound to [default: the .kseal.yaml rule''s, else strict]. strict: namespace, Secret name and key. namespace: the namespace. cluster: nothing')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)')
            [CompletionResult]::new('--identity-from-cluster', '--identity-from-cluster', [CompletionResultType]::ParameterName, 'Read the identities from the cluster''s kseal-keys Secret (needs get on that one Secret)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;apply' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A file or folder to apply, as kubectl''s -f. Repeatable')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'A file or folder to apply, as kubectl''s -f. Repeatable')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Apply what the kustomization DIR renders (kustomize build, else kubectl kustomize), as kubectl''s -k. Repeatable')
            [CompletionResult]::new('--kustomize', '--kustomize', [CompletionResultType]::ParameterName, 'Apply what the kustomization DIR renders (kustomize build, else kubectl kustomize), as kubectl''s -k. Repeatable')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, '`server`: validate and merge on the server without persisting anything. `client` (or bare `--dry-run`): open and check everything here, send nothing. `none`: apply')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too')
            [CompletionResult]::new('--identity-from-cluster', '--identity-from-cluster', [CompletionResultType]::ParameterName, 'Read the identities from the cluster''s kseal-keys Secret (needs get on that one Secret)')
            [CompletionResult]::new('--server-side', '--server-side', [CompletionResultType]::ParameterName, 'Accepted for kubectl''s habit: kseal always applies server-side')
            [CompletionResult]::new('--diff', '--diff', [CompletionResultType]::ParameterName, 'Show what would change (keys of Secrets, by hash), apply nothing')
            [CompletionResult]::new('--force-conflicts', '--force-conflicts', [CompletionResultType]::ParameterName, 'Take over fields that another field manager owns (otherwise such a change fails with 409)')
            [CompletionResult]::new('--remove-last-applied', '--remove-last-applied', [CompletionResultType]::ParameterName, 'Drop a Secret''s kubectl.kubernetes.io/last-applied-configuration annotation, left by an earlier client-side `kubectl apply` (it holds that apply''s values in plain text)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;cluster' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the key pair in the cluster (refuses if it exists)')
            [CompletionResult]::new('fetch-key', 'fetch-key', [CompletionResultType]::ParameterValue, 'Print the cluster''s newest public key (age1...)')
            [CompletionResult]::new('rotate-key', 'rotate-key', [CompletionResultType]::ParameterValue, 'Add a newer key: sealing uses it from now on, opening still tries every key')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Write every key of the cluster, age-encrypted to offline recipients')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Put the keys of a backup into a cluster that has none (a rebuilt cluster), under their names')
            [CompletionResult]::new('webhook', 'webhook', [CompletionResultType]::ParameterValue, 'The admission webhook that opens sealed Secrets as they are written: install, rotate-cert')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kseal;cluster;init' {
            [CompletionResult]::new('--backup-to', '--backup-to', [CompletionResultType]::ParameterName, 'Also write the new private key encrypted to this age recipient (repeatable), to --backup-out')
            [CompletionResult]::new('--backup-out', '--backup-out', [CompletionResultType]::ParameterName, 'Where the encrypted backup goes (created, mode 0600, never overwritten)')
            [CompletionResult]::new('--public-key-out', '--public-key-out', [CompletionResultType]::ParameterName, 'Write the public key to FILE (a recipients file for `seal -R`)')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'With --webhook or --controller: the kseal image their Deployment runs')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the API server''s admission configuration and the kubeconfig with its client certificate (0600) into DIR')
            [CompletionResult]::new('--admission-out', '--admission-out', [CompletionResultType]::ParameterName, 'Write the API server''s admission configuration and the kubeconfig with its client certificate (0600) into DIR')
            [CompletionResult]::new('--apiserver-dir', '--apiserver-dir', [CompletionResultType]::ParameterName, 'Where those files will be on the control plane (the configuration names the kubeconfig by this absolute path); default: DIR itself')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Call the webhook at this https URL instead of the in-cluster Service (a webhook run outside the cluster); the Deployment, Service and NetworkPolicy are then not installed')
            [CompletionResult]::new('--apiserver-cidr', '--apiserver-cidr', [CompletionResultType]::ParameterName, 'With --webhook: admit the admission port from this address block only (repeatable)')
            [CompletionResult]::new('--from-backup', '--from-backup', [CompletionResultType]::ParameterName, 'Set up with the keys of a backup (`cluster backup`, `--backup-to`) instead of a new key, under their entry names, as `cluster restore` does: a rebuilt cluster opens what was sealed before')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'With --from-backup: the offline identity the backup was encrypted to (repeatable)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'With --from-backup: the offline identity the backup was encrypted to (repeatable)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Also install the admission webhook (as `kseal cluster webhook install`), so Flux, Argo CD and `kubectl apply` can apply sealed manifests unchanged')
            [CompletionResult]::new('--controller', '--controller', [CompletionResultType]::ParameterName, 'Also install `kseal controller` (deploy/controller/: the KsealSecret CRD, RBAC, Deployment) and the policy refusing sealed values in Secrets: the mode for managed control planes, which cannot call a webhook with a client certificate (README "Which in-cluster mode")')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Write into DIR even where git would commit the files (a git work tree that does not ignore them); kseal refuses otherwise, since the kubeconfig holds the API server''s client key')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;cluster;fetch-key' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the public key to FILE instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the public key to FILE instead of stdout')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;cluster;rotate-key' {
            [CompletionResult]::new('--public-key-out', '--public-key-out', [CompletionResultType]::ParameterName, 'Write the new public key to FILE')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever')
            [CompletionResult]::new('--keep-recipients', '--keep-recipients', [CompletionResultType]::ParameterName, 'Leave the recipients files of the `.kseal.yaml` here as they are. By default a file that holds the cluster''s previous key gets the new one in its place (other keys and comments kept), so `seal` uses the new key and `verify` reports values still sealed to the old one')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;cluster;backup' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Encrypt to this age recipient (repeatable; at least one)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'The backup file (created, mode 0600, never overwritten)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'The backup file (created, mode 0600, never overwritten)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;cluster;restore' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'The offline identity the backup was encrypted to (repeatable)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'The offline identity the backup was encrypted to (repeatable)')
            [CompletionResult]::new('--keys-namespace', '--keys-namespace', [CompletionResultType]::ParameterName, 'Make the key Secret in this namespace instead of kseal''s own: Argo CD''s (`argocd`), whose repo-server sidecar mounts secret kseal-keys (deploy/argocd/). Only the Secret is made there; the namespace must exist')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;cluster;webhook' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install or update the webhook (deploy/webhook/webhook.yaml) and its serving certificate')
            [CompletionResult]::new('rotate-cert', 'rotate-cert', [CompletionResultType]::ParameterValue, 'New serving and client certificates and CAs; the previous CAs stay trusted until the next rotation')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kseal;cluster;webhook;install' {
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'The kseal image the webhook''s Deployment runs')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the API server''s admission configuration and the kubeconfig with its client certificate (0600) into DIR')
            [CompletionResult]::new('--admission-out', '--admission-out', [CompletionResultType]::ParameterName, 'Write the API server''s admission configuration and the kubeconfig with its client certificate (0600) into DIR')
            [CompletionResult]::new('--apiserver-dir', '--apiserver-dir', [CompletionResultType]::ParameterName, 'Where those files will be on the control plane (the configuration names the kubeconfig by this absolute path); default: DIR itself')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Call the webhook at this https URL instead of the in-cluster Service (a webhook run outside the cluster); the Deployment, Service and NetworkPolicy are then not installed')
            [CompletionResult]::new('--apiserver-cidr', '--apiserver-cidr', [CompletionResultType]::ParameterName, 'Also apply deploy/webhook/networkpolicy.yaml admitting the admission port from this address block only: the API server''s (repeatable; README "Who may call the webhook")')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Write into DIR even where git would commit the files (a git work tree that does not ignore them); kseal refuses otherwise, since the kubeconfig holds the API server''s client key')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;cluster;webhook;rotate-cert' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the API server''s admission configuration and the kubeconfig with its client certificate (0600) into DIR')
            [CompletionResult]::new('--admission-out', '--admission-out', [CompletionResultType]::ParameterName, 'Write the API server''s admission configuration and the kubeconfig with its client certificate (0600) into DIR')
            [CompletionResult]::new('--apiserver-dir', '--apiserver-dir', [CompletionResultType]::ParameterName, 'Where those files will be on the control plane (the configuration names the kubeconfig by this absolute path); default: DIR itself')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Call the webhook at this https URL instead of the in-cluster Service (a webhook run outside the cluster); the Deployment, Service and NetworkPolicy are then not installed')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Write into DIR even where git would commit the files (a git work tree that does not ignore them); kseal refuses otherwise, since the kubeconfig holds the API server''s client key')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;cluster;webhook;help' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install or update the webhook (deploy/webhook/webhook.yaml) and its serving certificate')
            [CompletionResult]::new('rotate-cert', 'rotate-cert', [CompletionResultType]::ParameterValue, 'New serving and client certificates and CAs; the previous CAs stay trusted until the next rotation')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kseal;cluster;webhook;help;install' {
            break
        }
        'kseal;cluster;webhook;help;rotate-cert' {
            break
        }
        'kseal;cluster;webhook;help;help' {
            break
        }
        'kseal;cluster;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the key pair in the cluster (refuses if it exists)')
            [CompletionResult]::new('fetch-key', 'fetch-key', [CompletionResultType]::ParameterValue, 'Print the cluster''s newest public key (age1...)')
            [CompletionResult]::new('rotate-key', 'rotate-key', [CompletionResultType]::ParameterValue, 'Add a newer key: sealing uses it from now on, opening still tries every key')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Write every key of the cluster, age-encrypted to offline recipients')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Put the keys of a backup into a cluster that has none (a rebuilt cluster), under their names')
            [CompletionResult]::new('webhook', 'webhook', [CompletionResultType]::ParameterValue, 'The admission webhook that opens sealed Secrets as they are written: install, rotate-cert')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kseal;cluster;help;init' {
            break
        }
        'kseal;cluster;help;fetch-key' {
            break
        }
        'kseal;cluster;help;rotate-key' {
            break
        }
        'kseal;cluster;help;backup' {
            break
        }
        'kseal;cluster;help;restore' {
            break
        }
        'kseal;cluster;help;webhook' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install or update the webhook (deploy/webhook/webhook.yaml) and its serving certificate')
            [CompletionResult]::new('rotate-cert', 'rotate-cert', [CompletionResultType]::ParameterValue, 'New serving and client certificates and CAs; the previous CAs stay trusted until the next rotation')
            break
        }
        'kseal;cluster;help;webhook;install' {
            break
        }
        'kseal;cluster;help;webhook;rotate-cert' {
            break
        }
        'kseal;cluster;help;help' {
            break
        }
        'kseal;webhook' {
            [CompletionResult]::new('--keys', '--keys', [CompletionResultType]::ParameterName, 'Folder of the cluster''s *.agekey files: the `kseal-keys` Secret mounted as a volume')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Folder with tls.crt and tls.key: the serving certificate''s Secret mounted as a volume')
            [CompletionResult]::new('--client-ca', '--client-ca', [CompletionResultType]::ParameterName, 'CA bundle (PEM) the callers'' client certificates must chain to: the `ca.crt` of the `kseal-webhook-client` Secret, whose certificate the API server presents. Re-read on change')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on (port 0 picks a free port; the address is printed on stderr)')
            [CompletionResult]::new('--probe-listen', '--probe-listen', [CompletionResultType]::ParameterName, 'Also serve GET /healthz and /readyz in plain HTTP here, for the kubelet''s probes (which present no client certificate)')
            [CompletionResult]::new('--reload-every', '--reload-every', [CompletionResultType]::ParameterName, 'How often to check the key and certificate folders for change')
            [CompletionResult]::new('--drain', '--drain', [CompletionResultType]::ParameterName, 'After SIGTERM, how long open requests may take to finish')
            [CompletionResult]::new('--insecure-no-client-auth', '--insecure-no-client-auth', [CompletionResultType]::ParameterName, 'Serve any TLS client, for control planes whose admission configuration cannot be set: anything that reaches the port can then have sealed values opened (use the NetworkPolicy)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;controller' {
            [CompletionResult]::new('--keys', '--keys', [CompletionResultType]::ParameterName, 'The folder of *.agekey files: the kseal-keys Secret mounted as a volume. Re-read on change')
            [CompletionResult]::new('--probe-listen', '--probe-listen', [CompletionResultType]::ParameterName, 'Serve GET /healthz, /readyz and /metrics in plain HTTP here (the kubelet''s probes)')
            [CompletionResult]::new('--watch-namespace', '--watch-namespace', [CompletionResultType]::ParameterName, 'Watch KsealSecrets in this namespace only (repeatable); default: every namespace')
            [CompletionResult]::new('--lease-namespace', '--lease-namespace', [CompletionResultType]::ParameterName, 'The namespace of the leader Lease [default: the Pod''s namespace, else kseal]')
            [CompletionResult]::new('--lease-name', '--lease-name', [CompletionResultType]::ParameterName, 'The name of the leader Lease')
            [CompletionResult]::new('--lease-duration', '--lease-duration', [CompletionResultType]::ParameterName, 'How long a lease lasts without renewal before another replica takes it')
            [CompletionResult]::new('--renew-every', '--renew-every', [CompletionResultType]::ParameterName, 'How often the leader renews the lease (and candidates look at it)')
            [CompletionResult]::new('--reload-every', '--reload-every', [CompletionResultType]::ParameterName, 'How often the key folder is checked for change')
            [CompletionResult]::new('--retry-after', '--retry-after', [CompletionResultType]::ParameterName, 'How long after a failure a KsealSecret is tried again')
            [CompletionResult]::new('--renew-keys-every', '--renew-keys-every', [CompletionResultType]::ParameterName, 'Add a new key when the published one is this old (e.g. 720h, as sealed-secrets'' 30 days); old keys are kept. Needs deploy/controller/renew-keys.yaml. Default: never')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;verify' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Seal to this recipient (age1...). Repeatable: the value is sealed to each')
            [CompletionResult]::new('--recipient', '--recipient', [CompletionResultType]::ParameterName, 'Seal to this recipient (age1...). Repeatable: the value is sealed to each')
            [CompletionResult]::new('-R', '-R ', [CompletionResultType]::ParameterName, 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable')
            [CompletionResult]::new('--recipients-file', '--recipients-file', [CompletionResultType]::ParameterName, 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Verify the files whose Secrets the kustomization DIR renders, where they land, as `kseal seal -w -k DIR` sealed them (recipients: the union of the rules of every kustomization of the repository that renders a file); and the rendered Secrets for plaintext. Repeatable')
            [CompletionResult]::new('--kustomize', '--kustomize', [CompletionResultType]::ParameterName, 'Verify the files whose Secrets the kustomization DIR renders, where they land, as `kseal seal -w -k DIR` sealed them (recipients: the union of the rules of every kustomization of the repository that renders a file); and the rendered Secrets for plaintext. Repeatable')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;convert' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The kind to write')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the result to FILE instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the result to FILE instead of stdout')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Write each file in place (atomically: temporary file, then rename)')
            [CompletionResult]::new('--write', '--write', [CompletionResultType]::ParameterName, 'Write each file in place (atomically: temporary file, then rename)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;import-sops' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Seal to this recipient (age1...). Repeatable: the value is sealed to each')
            [CompletionResult]::new('--recipient', '--recipient', [CompletionResultType]::ParameterName, 'Seal to this recipient (age1...). Repeatable: the value is sealed to each')
            [CompletionResult]::new('-R', '-R ', [CompletionResultType]::ParameterName, 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable')
            [CompletionResult]::new('--recipients-file', '--recipients-file', [CompletionResultType]::ParameterName, 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'What a sealed value is bound to [default: the .kseal.yaml rule''s, else strict]. strict: namespace, Secret name and key. namespace: the namespace. cluster: nothing')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too')
            [CompletionResult]::new('--identity-from-cluster', '--identity-from-cluster', [CompletionResultType]::ParameterName, 'Read the identities from the cluster''s kseal-keys Secret (needs get on that one Secret)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Replace each file in place (atomically) instead of printing to stdout')
            [CompletionResult]::new('--write', '--write', [CompletionResultType]::ParameterName, 'Replace each file in place (atomically) instead of printing to stdout')
            [CompletionResult]::new('--ignore-mac', '--ignore-mac', [CompletionResultType]::ParameterName, 'Import even when the SOPS MAC does not match (the values may have been altered)')
            [CompletionResult]::new('--keep-going', '--keep-going', [CompletionResultType]::ParameterName, 'With -w: when some files fail, still write the ones that converted (and exit 1). Without it, every failing file is named and nothing is written')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;import-sealedsecret' {
            [CompletionResult]::new('--controller-key', '--controller-key', [CompletionResultType]::ParameterName, 'The controller''s private keys: PEM, or the YAML of its key Secrets (see below); refused when group or others can read it (`chmod 600`), as identity files are')
            [CompletionResult]::new('--controller-namespace', '--controller-namespace', [CompletionResultType]::ParameterName, 'With --controller-keys-from-cluster: the controller''s namespace')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Seal to this recipient (age1...). Repeatable: the value is sealed to each')
            [CompletionResult]::new('--recipient', '--recipient', [CompletionResultType]::ParameterName, 'Seal to this recipient (age1...). Repeatable: the value is sealed to each')
            [CompletionResult]::new('-R', '-R ', [CompletionResultType]::ParameterName, 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable')
            [CompletionResult]::new('--recipients-file', '--recipients-file', [CompletionResultType]::ParameterName, 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever')
            [CompletionResult]::new('--controller-keys-from-cluster', '--controller-keys-from-cluster', [CompletionResultType]::ParameterName, 'Read the controller''s keys from the cluster (the Secrets labelled sealedsecrets.bitnami.com/sealed-secrets-key), into memory only: no key file on disk')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Replace each file in place (atomically) instead of printing to stdout')
            [CompletionResult]::new('--write', '--write', [CompletionResultType]::ParameterName, 'Replace each file in place (atomically) instead of printing to stdout')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;ls' {
            [CompletionResult]::new('--kid', '--kid', [CompletionResultType]::ParameterName, 'Only Secrets with a value sealed to this key: a kid (8 hex) or a recipient (age1...)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: one aligned line per Secret; json: one JSON object per line')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;textconv' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;scan' {
            [CompletionResult]::new('--rev-range', '--rev-range', [CompletionResultType]::ParameterName, 'History mode: only commits reachable from B and not from A (e.g. origin/main..HEAD in CI; an annotated tag stands for the commit it tags: v1.2..v1.3)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--baseline', '--baseline', [CompletionResultType]::ParameterName, 'Accept the findings listed in FILE (what `kseal scan --format json` wrote) and their values wherever they appear [default: .kseal-baseline.jsonl at the top of the work tree, if any]')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads [default: the number of cores]')
            [CompletionResult]::new('--history', '--history', [CompletionResultType]::ParameterName, 'Every commit of every ref [default inside a git repository]')
            [CompletionResult]::new('--staged', '--staged', [CompletionResultType]::ParameterName, 'The staged files (the index), for a pre-commit hook')
            [CompletionResult]::new('--worktree', '--worktree', [CompletionResultType]::ParameterName, 'The files on disk [default outside git]; .gitignored files are skipped')
            [CompletionResult]::new('--include-unreachable', '--include-unreachable', [CompletionResultType]::ParameterName, 'History mode: also read blobs no commit reaches (not yet pruned by git gc)')
            [CompletionResult]::new('--allow-incomplete', '--allow-incomplete', [CompletionResultType]::ParameterName, 'Report what could be read even when the scan is incomplete (objects that cannot be read, as in a partial clone; a shallow clone''s missing history), with a warning, and exit by the findings; without it, an incomplete scan exits 2')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;hook' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Write a pre-commit hook running `kseal scan --staged` where git reads hooks (core.hooksPath, linked worktrees); never replaces a different hook')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kseal;hook;install' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;hook;help' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Write a pre-commit hook running `kseal scan --staged` where git reads hooks (core.hooksPath, linked worktrees); never replaces a different hook')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kseal;hook;help;install' {
            break
        }
        'kseal;hook;help;help' {
            break
        }
        'kseal;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;render' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too')
            [CompletionResult]::new('--allow-chart-repository', '--allow-chart-repository', [CompletionResultType]::ParameterName, 'A chart repository `helm dependency build` may fetch from (repeatable; a URL prefix such as `https://charts.example.com/` or `oci://registry.example.com/charts/`). Without it, dependencies come only from inside the repository (`file://`)')
            [CompletionResult]::new('--identity-from-cluster', '--identity-from-cluster', [CompletionResultType]::ParameterName, 'Read the identities from the cluster''s kseal-keys Secret (needs get on that one Secret)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;krm' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)')
            [CompletionResult]::new('--identity-from-cluster', '--identity-from-cluster', [CompletionResultType]::ParameterName, 'Read the identities from the cluster''s kseal-keys Secret (needs get on that one Secret)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;version' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;man' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;__complete' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;copy-self' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kseal;help' {
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Generate a new X25519 identity in age format')
            [CompletionResult]::new('seal', 'seal', [CompletionResultType]::ParameterValue, 'Seal every plaintext Secret value, changing nothing else in the file')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Seal one value (read from stdin or a file) into a Secret of a sealed file')
            [CompletionResult]::new('open', 'open', [CompletionResultType]::ParameterValue, 'Render plain manifests on stdout: sealed values opened with your identities')
            [CompletionResult]::new('reseal', 'reseal', [CompletionResultType]::ParameterValue, 'Key rotation: open sealed values with the old key and seal them again to the current recipients')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Edit a sealed file''s values in $EDITOR; re-seals only what changed')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Open sealed manifests and server-side apply them to the cluster')
            [CompletionResult]::new('cluster', 'cluster', [CompletionResultType]::ParameterValue, 'The cluster''s key pair, stored in the cluster: init, fetch-key, rotate-key, backup')
            [CompletionResult]::new('webhook', 'webhook', [CompletionResultType]::ParameterValue, 'Serve the mutating admission webhook that opens sealed Secrets as they are written')
            [CompletionResult]::new('controller', 'controller', [CompletionResultType]::ParameterValue, 'Run in the cluster: turn each KsealSecret into its Secret, with no inbound port')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check that every Secret value is sealed, well formed and to the right keys (no private key needed)')
            [CompletionResult]::new('convert', 'convert', [CompletionResultType]::ParameterValue, 'Switch sealed files between a Secret and a KsealSecret (for `kseal controller`); values unchanged')
            [CompletionResult]::new('import-sops', 'import-sops', [CompletionResultType]::ParameterValue, 'Convert SOPS-encrypted Secrets (age) into kseal-sealed Secrets')
            [CompletionResult]::new('import-sealedsecret', 'import-sealedsecret', [CompletionResultType]::ParameterValue, 'Convert Bitnami SealedSecrets into kseal-sealed Secrets, with the controller''s private key')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List sealed Secrets: file, name, scope, key ids, keys (no private key needed)')
            [CompletionResult]::new('textconv', 'textconv', [CompletionResultType]::ParameterValue, 'Print a file with sealed values as short placeholders, for `git diff` (diff.kseal.textconv)')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Find plaintext Secrets in a repository''s files, so leaks are found and rotated')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Git hooks: `kseal hook install` adds a pre-commit hook running `kseal scan --staged`')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('render', 'render', [CompletionResultType]::ParameterValue, 'Render an app (Kustomize, Helm or plain YAML) and open its sealed values: the Argo CD plugin')
            [CompletionResult]::new('krm', 'krm', [CompletionResultType]::ParameterValue, 'Kustomize KRM exec function: open the sealed Secrets of a ResourceList on stdin')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print kseal''s version and the sealed value format it writes')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write a man page per command into DIR (for packagers)')
            [CompletionResult]::new('__complete', '__complete', [CompletionResultType]::ParameterValue, 'Complete a kubectl plugin command line (for kubectl_complete-kseal)')
            [CompletionResult]::new('copy-self', 'copy-self', [CompletionResultType]::ParameterValue, 'Copy this binary into DIR (an init container of a shell-less image hands kseal to a sidecar)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kseal;help;keygen' {
            break
        }
        'kseal;help;seal' {
            break
        }
        'kseal;help;set' {
            break
        }
        'kseal;help;open' {
            break
        }
        'kseal;help;reseal' {
            break
        }
        'kseal;help;edit' {
            break
        }
        'kseal;help;apply' {
            break
        }
        'kseal;help;cluster' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the key pair in the cluster (refuses if it exists)')
            [CompletionResult]::new('fetch-key', 'fetch-key', [CompletionResultType]::ParameterValue, 'Print the cluster''s newest public key (age1...)')
            [CompletionResult]::new('rotate-key', 'rotate-key', [CompletionResultType]::ParameterValue, 'Add a newer key: sealing uses it from now on, opening still tries every key')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Write every key of the cluster, age-encrypted to offline recipients')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Put the keys of a backup into a cluster that has none (a rebuilt cluster), under their names')
            [CompletionResult]::new('webhook', 'webhook', [CompletionResultType]::ParameterValue, 'The admission webhook that opens sealed Secrets as they are written: install, rotate-cert')
            break
        }
        'kseal;help;cluster;init' {
            break
        }
        'kseal;help;cluster;fetch-key' {
            break
        }
        'kseal;help;cluster;rotate-key' {
            break
        }
        'kseal;help;cluster;backup' {
            break
        }
        'kseal;help;cluster;restore' {
            break
        }
        'kseal;help;cluster;webhook' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install or update the webhook (deploy/webhook/webhook.yaml) and its serving certificate')
            [CompletionResult]::new('rotate-cert', 'rotate-cert', [CompletionResultType]::ParameterValue, 'New serving and client certificates and CAs; the previous CAs stay trusted until the next rotation')
            break
        }
        'kseal;help;cluster;webhook;install' {
            break
        }
        'kseal;help;cluster;webhook;rotate-cert' {
            break
        }
        'kseal;help;webhook' {
            break
        }
        'kseal;help;controller' {
            break
        }
        'kseal;help;verify' {
            break
        }
        'kseal;help;convert' {
            break
        }
        'kseal;help;import-sops' {
            break
        }
        'kseal;help;import-sealedsecret' {
            break
        }
        'kseal;help;ls' {
            break
        }
        'kseal;help;textconv' {
            break
        }
        'kseal;help;scan' {
            break
        }
        'kseal;help;hook' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Write a pre-commit hook running `kseal scan --staged` where git reads hooks (core.hooksPath, linked worktrees); never replaces a different hook')
            break
        }
        'kseal;help;hook;install' {
            break
        }
        'kseal;help;completions' {
            break
        }
        'kseal;help;render' {
            break
        }
        'kseal;help;krm' {
            break
        }
        'kseal;help;version' {
            break
        }
        'kseal;help;man' {
            break
        }
        'kseal;help;__complete' {
            break
        }
        'kseal;help;copy-self' {
            break
        }
        'kseal;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
