
use builtin;
use str;

set edit:completion:arg-completer[kseal] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'kseal'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'kseal'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --request-timeout 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever'
            cand -n 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)'
            cand --namespace 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand keygen 'Generate a new X25519 identity in age format'
            cand seal 'Seal every plaintext Secret value, changing nothing else in the file'
            cand set 'Seal one value (read from stdin or a file) into a Secret of a sealed file'
            cand open 'Render plain manifests on stdout: sealed values opened with your identities'
            cand reseal 'Key rotation: open sealed values with the old key and seal them again to the current recipients'
            cand edit 'Edit a sealed file''s values in $EDITOR; re-seals only what changed'
            cand apply 'Open sealed manifests and server-side apply them to the cluster'
            cand cluster 'The cluster''s key pair, stored in the cluster: init, fetch-key, rotate-key, backup'
            cand webhook 'Serve the mutating admission webhook that opens sealed Secrets as they are written'
            cand controller 'Run in the cluster: turn each KsealSecret into its Secret, with no inbound port'
            cand verify 'Check that every Secret value is sealed, well formed and to the right keys (no private key needed)'
            cand convert 'Switch sealed files between a Secret and a KsealSecret (for `kseal controller`); values unchanged'
            cand import-sops 'Convert SOPS-encrypted Secrets (age) into kseal-sealed Secrets'
            cand import-sealedsecret 'Convert Bitnami SealedSecrets into kseal-sealed Secrets, with the controller''s private key'
            cand ls 'List sealed Secrets: file, name, scope, key ids, keys (no private key needed)'
            cand textconv 'Print a file with sealed values as short placeholders, for `git diff` (diff.kseal.textconv)'
            cand scan 'Find plaintext Secrets in a repository''s files, so leaks are found and rotated'
            cand hook 'Git hooks: `kseal hook install` adds a pre-commit hook running `kseal scan --staged`'
            cand completions 'Print a shell completion script'
            cand render 'Render an app (Kustomize, Helm or plain YAML) and open its sealed values: the Argo CD plugin'
            cand krm 'Kustomize KRM exec function: open the sealed Secrets of a ResourceList on stdin'
            cand version 'Print kseal''s version and the sealed value format it writes'
            cand man 'Write a man page per command into DIR (for packagers)'
            cand __complete 'Complete a kubectl plugin command line (for kubectl_complete-kseal)'
            cand copy-self 'Copy this binary into DIR (an init container of a shell-less image hands kseal to a sidecar)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kseal;keygen'= {
            cand -o 'Write the identity to FILE (mode 0600; refuses to overwrite)'
            cand --output 'Write the identity to FILE (mode 0600; refuses to overwrite)'
            cand -y 'Print the recipient (age1...) of each identity in FILE instead of making one'
            cand --public-key-out 'Also write the public key to FILE: the recipients file `seal -R` and `.kseal.yaml` name (e.g. keys/prod.pub)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;seal'= {
            cand -r 'Seal to this recipient (age1...). Repeatable: the value is sealed to each'
            cand --recipient 'Seal to this recipient (age1...). Repeatable: the value is sealed to each'
            cand -R 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable'
            cand --recipients-file 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable'
            cand --scope 'What a sealed value is bound to [default: the .kseal.yaml rule''s, else strict]. strict: namespace, Secret name and key. namespace: the namespace. cluster: nothing'
            cand -o 'Write the result to FILE instead of stdout'
            cand --output 'Write the result to FILE instead of stdout'
            cand -k 'Seal, in place (-w), the files whose Secrets the kustomization DIR renders, bound to the namespace and name it renders them as (namePrefix, nameSuffix, namespace). Repeatable: a base shared by overlays must render under one identity'
            cand --kustomize 'Seal, in place (-w), the files whose Secrets the kustomization DIR renders, bound to the namespace and name it renders them as (namePrefix, nameSuffix, namespace). Repeatable: a base shared by overlays must render under one identity'
            cand --name 'With --raw: the name of the Secret the value goes in (strict scope binds to it)'
            cand --key 'With --raw: the key under data or stringData the value goes in'
            cand -n 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)'
            cand --namespace 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)'
            cand --exclude 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too'
            cand -w 'Write each file in place (atomically: temporary file, then rename)'
            cand --write 'Write each file in place (atomically: temporary file, then rename)'
            cand --raw 'Seal one value from stdin and print it alone (for a Helm values file), bound to -n, --name and --key'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;set'= {
            cand --from-file 'Read the value from F instead of stdin'
            cand -r 'Seal to this recipient (age1...). Repeatable: the value is sealed to each'
            cand --recipient 'Seal to this recipient (age1...). Repeatable: the value is sealed to each'
            cand -R 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable'
            cand --recipients-file 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable'
            cand --scope 'What a sealed value is bound to [default: the .kseal.yaml rule''s, else strict]. strict: namespace, Secret name and key. namespace: the namespace. cluster: nothing'
            cand -n 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)'
            cand --namespace 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;open'= {
            cand -i 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others'
            cand --identity 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --request-timeout 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever'
            cand -o 'Write the plain manifests to FILE (mode 0600) instead of stdout'
            cand --output 'Write the plain manifests to FILE (mode 0600) instead of stdout'
            cand -n 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)'
            cand --namespace 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)'
            cand --exclude 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too'
            cand --identity-from-cluster 'Read the identities from the cluster''s kseal-keys Secret (needs get on that one Secret)'
            cand --ignore-mac 'Open SOPS files even when their MAC does not match (the values may have been altered)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;reseal'= {
            cand -i 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others'
            cand --identity 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --request-timeout 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever'
            cand -r 'Seal to this recipient (age1...). Repeatable: the value is sealed to each'
            cand --recipient 'Seal to this recipient (age1...). Repeatable: the value is sealed to each'
            cand -R 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable'
            cand --recipients-file 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable'
            cand --scope 'Seal every value with this scope instead of its own (a strict value that two overlays apply under two names, moved to namespace scope)'
            cand -k 'The files whose Secrets the kustomization DIR renders, opened and sealed for the namespace and name it renders them as (as `seal -w -k`). Repeatable'
            cand --kustomize 'The files whose Secrets the kustomization DIR renders, opened and sealed for the namespace and name it renders them as (as `seal -w -k`). Repeatable'
            cand -n 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)'
            cand --namespace 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)'
            cand --exclude 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too'
            cand --identity-from-cluster 'Read the identities from the cluster''s kseal-keys Secret (needs get on that one Secret)'
            cand --check 'Change nothing: report what would be resealed, exit 1 if anything would'
            cand -w 'Write files in place: what reseal always does with paths; accepted so that `seal -w` habits (and the commands kseal''s messages print) work'
            cand --write 'Write files in place: what reseal always does with paths; accepted so that `seal -w` habits (and the commands kseal''s messages print) work'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;edit'= {
            cand -i 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others'
            cand --identity 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --request-timeout 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever'
            cand -r 'Seal to this recipient (age1...). Repeatable: the value is sealed to each'
            cand --recipient 'Seal to this recipient (age1...). Repeatable: the value is sealed to each'
            cand -R 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable'
            cand --recipients-file 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable'
            cand --scope 'What a sealed value is bound to [default: the .kseal.yaml rule''s, else strict]. strict: namespace, Secret name and key. namespace: the namespace. cluster: nothing'
            cand -n 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)'
            cand --namespace 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)'
            cand --identity-from-cluster 'Read the identities from the cluster''s kseal-keys Secret (needs get on that one Secret)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;apply'= {
            cand -f 'A file or folder to apply, as kubectl''s -f. Repeatable'
            cand --filename 'A file or folder to apply, as kubectl''s -f. Repeatable'
            cand -k 'Apply what the kustomization DIR renders (kustomize build, else kubectl kustomize), as kubectl''s -k. Repeatable'
            cand --kustomize 'Apply what the kustomization DIR renders (kustomize build, else kubectl kustomize), as kubectl''s -k. Repeatable'
            cand -i 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others'
            cand --identity 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --request-timeout 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever'
            cand --dry-run '`server`: validate and merge on the server without persisting anything. `client` (or bare `--dry-run`): open and check everything here, send nothing. `none`: apply'
            cand --concurrency 'Requests in flight at once'
            cand -n 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)'
            cand --namespace 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)'
            cand --exclude 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too'
            cand --identity-from-cluster 'Read the identities from the cluster''s kseal-keys Secret (needs get on that one Secret)'
            cand --server-side 'Accepted for kubectl''s habit: kseal always applies server-side'
            cand --diff 'Show what would change (keys of Secrets, by hash), apply nothing'
            cand --force-conflicts 'Take over fields that another field manager owns (otherwise such a change fails with 409)'
            cand --remove-last-applied 'Drop a Secret''s kubectl.kubernetes.io/last-applied-configuration annotation, left by an earlier client-side `kubectl apply` (it holds that apply''s values in plain text)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;cluster'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Create the key pair in the cluster (refuses if it exists)'
            cand fetch-key 'Print the cluster''s newest public key (age1...)'
            cand rotate-key 'Add a newer key: sealing uses it from now on, opening still tries every key'
            cand backup 'Write every key of the cluster, age-encrypted to offline recipients'
            cand restore 'Put the keys of a backup into a cluster that has none (a rebuilt cluster), under their names'
            cand webhook 'The admission webhook that opens sealed Secrets as they are written: install, rotate-cert'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kseal;cluster;init'= {
            cand --backup-to 'Also write the new private key encrypted to this age recipient (repeatable), to --backup-out'
            cand --backup-out 'Where the encrypted backup goes (created, mode 0600, never overwritten)'
            cand --public-key-out 'Write the public key to FILE (a recipients file for `seal -R`)'
            cand --image 'With --webhook or --controller: the kseal image their Deployment runs'
            cand -o 'Write the API server''s admission configuration and the kubeconfig with its client certificate (0600) into DIR'
            cand --admission-out 'Write the API server''s admission configuration and the kubeconfig with its client certificate (0600) into DIR'
            cand --apiserver-dir 'Where those files will be on the control plane (the configuration names the kubeconfig by this absolute path); default: DIR itself'
            cand --url 'Call the webhook at this https URL instead of the in-cluster Service (a webhook run outside the cluster); the Deployment, Service and NetworkPolicy are then not installed'
            cand --apiserver-cidr 'With --webhook: admit the admission port from this address block only (repeatable)'
            cand --from-backup 'Set up with the keys of a backup (`cluster backup`, `--backup-to`) instead of a new key, under their entry names, as `cluster restore` does: a rebuilt cluster opens what was sealed before'
            cand -i 'With --from-backup: the offline identity the backup was encrypted to (repeatable)'
            cand --identity 'With --from-backup: the offline identity the backup was encrypted to (repeatable)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --request-timeout 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever'
            cand --webhook 'Also install the admission webhook (as `kseal cluster webhook install`), so Flux, Argo CD and `kubectl apply` can apply sealed manifests unchanged'
            cand --controller 'Also install `kseal controller` (deploy/controller/: the KsealSecret CRD, RBAC, Deployment) and the policy refusing sealed values in Secrets: the mode for managed control planes, which cannot call a webhook with a client certificate (README "Which in-cluster mode")'
            cand --force 'Write into DIR even where git would commit the files (a git work tree that does not ignore them); kseal refuses otherwise, since the kubeconfig holds the API server''s client key'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;cluster;fetch-key'= {
            cand -o 'Write the public key to FILE instead of stdout'
            cand --output 'Write the public key to FILE instead of stdout'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --request-timeout 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;cluster;rotate-key'= {
            cand --public-key-out 'Write the new public key to FILE'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --request-timeout 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever'
            cand --keep-recipients 'Leave the recipients files of the `.kseal.yaml` here as they are. By default a file that holds the cluster''s previous key gets the new one in its place (other keys and comments kept), so `seal` uses the new key and `verify` reports values still sealed to the old one'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;cluster;backup'= {
            cand --to 'Encrypt to this age recipient (repeatable; at least one)'
            cand -o 'The backup file (created, mode 0600, never overwritten)'
            cand --output 'The backup file (created, mode 0600, never overwritten)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --request-timeout 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;cluster;restore'= {
            cand -i 'The offline identity the backup was encrypted to (repeatable)'
            cand --identity 'The offline identity the backup was encrypted to (repeatable)'
            cand --keys-namespace 'Make the key Secret in this namespace instead of kseal''s own: Argo CD''s (`argocd`), whose repo-server sidecar mounts secret kseal-keys (deploy/argocd/). Only the Secret is made there; the namespace must exist'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --request-timeout 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;cluster;webhook'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand install 'Install or update the webhook (deploy/webhook/webhook.yaml) and its serving certificate'
            cand rotate-cert 'New serving and client certificates and CAs; the previous CAs stay trusted until the next rotation'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kseal;cluster;webhook;install'= {
            cand --image 'The kseal image the webhook''s Deployment runs'
            cand -o 'Write the API server''s admission configuration and the kubeconfig with its client certificate (0600) into DIR'
            cand --admission-out 'Write the API server''s admission configuration and the kubeconfig with its client certificate (0600) into DIR'
            cand --apiserver-dir 'Where those files will be on the control plane (the configuration names the kubeconfig by this absolute path); default: DIR itself'
            cand --url 'Call the webhook at this https URL instead of the in-cluster Service (a webhook run outside the cluster); the Deployment, Service and NetworkPolicy are then not installed'
            cand --apiserver-cidr 'Also apply deploy/webhook/networkpolicy.yaml admitting the admission port from this address block only: the API server''s (repeatable; README "Who may call the webhook")'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --request-timeout 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever'
            cand --force 'Write into DIR even where git would commit the files (a git work tree that does not ignore them); kseal refuses otherwise, since the kubeconfig holds the API server''s client key'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;cluster;webhook;rotate-cert'= {
            cand -o 'Write the API server''s admission configuration and the kubeconfig with its client certificate (0600) into DIR'
            cand --admission-out 'Write the API server''s admission configuration and the kubeconfig with its client certificate (0600) into DIR'
            cand --apiserver-dir 'Where those files will be on the control plane (the configuration names the kubeconfig by this absolute path); default: DIR itself'
            cand --url 'Call the webhook at this https URL instead of the in-cluster Service (a webhook run outside the cluster); the Deployment, Service and NetworkPolicy are then not installed'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --request-timeout 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever'
            cand --force 'Write into DIR even where git would commit the files (a git work tree that does not ignore them); kseal refuses otherwise, since the kubeconfig holds the API server''s client key'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;cluster;webhook;help'= {
            cand install 'Install or update the webhook (deploy/webhook/webhook.yaml) and its serving certificate'
            cand rotate-cert 'New serving and client certificates and CAs; the previous CAs stay trusted until the next rotation'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kseal;cluster;webhook;help;install'= {
        }
        &'kseal;cluster;webhook;help;rotate-cert'= {
        }
        &'kseal;cluster;webhook;help;help'= {
        }
        &'kseal;cluster;help'= {
            cand init 'Create the key pair in the cluster (refuses if it exists)'
            cand fetch-key 'Print the cluster''s newest public key (age1...)'
            cand rotate-key 'Add a newer key: sealing uses it from now on, opening still tries every key'
            cand backup 'Write every key of the cluster, age-encrypted to offline recipients'
            cand restore 'Put the keys of a backup into a cluster that has none (a rebuilt cluster), under their names'
            cand webhook 'The admission webhook that opens sealed Secrets as they are written: install, rotate-cert'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kseal;cluster;help;init'= {
        }
        &'kseal;cluster;help;fetch-key'= {
        }
        &'kseal;cluster;help;rotate-key'= {
        }
        &'kseal;cluster;help;backup'= {
        }
        &'kseal;cluster;help;restore'= {
        }
        &'kseal;cluster;help;webhook'= {
            cand install 'Install or update the webhook (deploy/webhook/webhook.yaml) and its serving certificate'
            cand rotate-cert 'New serving and client certificates and CAs; the previous CAs stay trusted until the next rotation'
        }
        &'kseal;cluster;help;webhook;install'= {
        }
        &'kseal;cluster;help;webhook;rotate-cert'= {
        }
        &'kseal;cluster;help;help'= {
        }
        &'kseal;webhook'= {
            cand --keys 'Folder of the cluster''s *.agekey files: the `kseal-keys` Secret mounted as a volume'
            cand --tls 'Folder with tls.crt and tls.key: the serving certificate''s Secret mounted as a volume'
            cand --client-ca 'CA bundle (PEM) the callers'' client certificates must chain to: the `ca.crt` of the `kseal-webhook-client` Secret, whose certificate the API server presents. Re-read on change'
            cand --listen 'Address to listen on (port 0 picks a free port; the address is printed on stderr)'
            cand --probe-listen 'Also serve GET /healthz and /readyz in plain HTTP here, for the kubelet''s probes (which present no client certificate)'
            cand --reload-every 'How often to check the key and certificate folders for change'
            cand --drain 'After SIGTERM, how long open requests may take to finish'
            cand --insecure-no-client-auth 'Serve any TLS client, for control planes whose admission configuration cannot be set: anything that reaches the port can then have sealed values opened (use the NetworkPolicy)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;controller'= {
            cand --keys 'The folder of *.agekey files: the kseal-keys Secret mounted as a volume. Re-read on change'
            cand --probe-listen 'Serve GET /healthz, /readyz and /metrics in plain HTTP here (the kubelet''s probes)'
            cand --watch-namespace 'Watch KsealSecrets in this namespace only (repeatable); default: every namespace'
            cand --lease-namespace 'The namespace of the leader Lease [default: the Pod''s namespace, else kseal]'
            cand --lease-name 'The name of the leader Lease'
            cand --lease-duration 'How long a lease lasts without renewal before another replica takes it'
            cand --renew-every 'How often the leader renews the lease (and candidates look at it)'
            cand --reload-every 'How often the key folder is checked for change'
            cand --retry-after 'How long after a failure a KsealSecret is tried again'
            cand --renew-keys-every 'Add a new key when the published one is this old (e.g. 720h, as sealed-secrets'' 30 days); old keys are kept. Needs deploy/controller/renew-keys.yaml. Default: never'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --request-timeout 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;verify'= {
            cand -r 'Seal to this recipient (age1...). Repeatable: the value is sealed to each'
            cand --recipient 'Seal to this recipient (age1...). Repeatable: the value is sealed to each'
            cand -R 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable'
            cand --recipients-file 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable'
            cand -k 'Verify the files whose Secrets the kustomization DIR renders, where they land, as `kseal seal -w -k DIR` sealed them (recipients: the union of the rules of every kustomization of the repository that renders a file); and the rendered Secrets for plaintext. Repeatable'
            cand --kustomize 'Verify the files whose Secrets the kustomization DIR renders, where they land, as `kseal seal -w -k DIR` sealed them (recipients: the union of the rules of every kustomization of the repository that renders a file); and the rendered Secrets for plaintext. Repeatable'
            cand -n 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)'
            cand --namespace 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)'
            cand --exclude 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;convert'= {
            cand --to 'The kind to write'
            cand -o 'Write the result to FILE instead of stdout'
            cand --output 'Write the result to FILE instead of stdout'
            cand --exclude 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too'
            cand -w 'Write each file in place (atomically: temporary file, then rename)'
            cand --write 'Write each file in place (atomically: temporary file, then rename)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;import-sops'= {
            cand -i 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others'
            cand --identity 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --request-timeout 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever'
            cand -r 'Seal to this recipient (age1...). Repeatable: the value is sealed to each'
            cand --recipient 'Seal to this recipient (age1...). Repeatable: the value is sealed to each'
            cand -R 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable'
            cand --recipients-file 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable'
            cand --scope 'What a sealed value is bound to [default: the .kseal.yaml rule''s, else strict]. strict: namespace, Secret name and key. namespace: the namespace. cluster: nothing'
            cand -n 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)'
            cand --namespace 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)'
            cand --exclude 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too'
            cand --identity-from-cluster 'Read the identities from the cluster''s kseal-keys Secret (needs get on that one Secret)'
            cand -w 'Replace each file in place (atomically) instead of printing to stdout'
            cand --write 'Replace each file in place (atomically) instead of printing to stdout'
            cand --ignore-mac 'Import even when the SOPS MAC does not match (the values may have been altered)'
            cand --keep-going 'With -w: when some files fail, still write the ones that converted (and exit 1). Without it, every failing file is named and nothing is written'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;import-sealedsecret'= {
            cand --controller-key 'The controller''s private keys: PEM, or the YAML of its key Secrets (see below); refused when group or others can read it (`chmod 600`), as identity files are'
            cand --controller-namespace 'With --controller-keys-from-cluster: the controller''s namespace'
            cand -r 'Seal to this recipient (age1...). Repeatable: the value is sealed to each'
            cand --recipient 'Seal to this recipient (age1...). Repeatable: the value is sealed to each'
            cand -R 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable'
            cand --recipients-file 'Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable'
            cand -n 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)'
            cand --namespace 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)'
            cand --exclude 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --request-timeout 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever'
            cand --controller-keys-from-cluster 'Read the controller''s keys from the cluster (the Secrets labelled sealedsecrets.bitnami.com/sealed-secrets-key), into memory only: no key file on disk'
            cand -w 'Replace each file in place (atomically) instead of printing to stdout'
            cand --write 'Replace each file in place (atomically) instead of printing to stdout'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;ls'= {
            cand --kid 'Only Secrets with a value sealed to this key: a kid (8 hex) or a recipient (age1...)'
            cand --format 'text: one aligned line per Secret; json: one JSON object per line'
            cand --exclude 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;textconv'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;scan'= {
            cand --rev-range 'History mode: only commits reachable from B and not from A (e.g. origin/main..HEAD in CI; an annotated tag stands for the commit it tags: v1.2..v1.3)'
            cand --format 'Output format'
            cand --baseline 'Accept the findings listed in FILE (what `kseal scan --format json` wrote) and their values wherever they appear [default: .kseal-baseline.jsonl at the top of the work tree, if any]'
            cand --threads 'Worker threads [default: the number of cores]'
            cand --history 'Every commit of every ref [default inside a git repository]'
            cand --staged 'The staged files (the index), for a pre-commit hook'
            cand --worktree 'The files on disk [default outside git]; .gitignored files are skipped'
            cand --include-unreachable 'History mode: also read blobs no commit reaches (not yet pruned by git gc)'
            cand --allow-incomplete 'Report what could be read even when the scan is incomplete (objects that cannot be read, as in a partial clone; a shallow clone''s missing history), with a warning, and exit by the findings; without it, an incomplete scan exits 2'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;hook'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand install 'Write a pre-commit hook running `kseal scan --staged` where git reads hooks (core.hooksPath, linked worktrees); never replaces a different hook'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kseal;hook;install'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;hook;help'= {
            cand install 'Write a pre-commit hook running `kseal scan --staged` where git reads hooks (core.hooksPath, linked worktrees); never replaces a different hook'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kseal;hook;help;install'= {
        }
        &'kseal;hook;help;help'= {
        }
        &'kseal;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;render'= {
            cand -i 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others'
            cand --identity 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --request-timeout 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever'
            cand -n 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)'
            cand --namespace 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)'
            cand --exclude 'Leave out of folder walks the files matching GLOB (below the folder named, or by file name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too'
            cand --allow-chart-repository 'A chart repository `helm dependency build` may fetch from (repeatable; a URL prefix such as `https://charts.example.com/` or `oci://registry.example.com/charts/`). Without it, dependencies come only from inside the repository (`file://`)'
            cand --identity-from-cluster 'Read the identities from the cluster''s kseal-keys Secret (needs get on that one Secret)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;krm'= {
            cand -i 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others'
            cand --identity 'Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key Secret). Repeatable. Must not be readable by others'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --request-timeout 'How long one API request may take before it fails, as kubectl''s flag: `30s` (the default), `2m`; `0` waits forever'
            cand -n 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)'
            cand --namespace 'Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule)'
            cand --identity-from-cluster 'Read the identities from the cluster''s kseal-keys Secret (needs get on that one Secret)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;version'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;man'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;__complete'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;copy-self'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kseal;help'= {
            cand keygen 'Generate a new X25519 identity in age format'
            cand seal 'Seal every plaintext Secret value, changing nothing else in the file'
            cand set 'Seal one value (read from stdin or a file) into a Secret of a sealed file'
            cand open 'Render plain manifests on stdout: sealed values opened with your identities'
            cand reseal 'Key rotation: open sealed values with the old key and seal them again to the current recipients'
            cand edit 'Edit a sealed file''s values in $EDITOR; re-seals only what changed'
            cand apply 'Open sealed manifests and server-side apply them to the cluster'
            cand cluster 'The cluster''s key pair, stored in the cluster: init, fetch-key, rotate-key, backup'
            cand webhook 'Serve the mutating admission webhook that opens sealed Secrets as they are written'
            cand controller 'Run in the cluster: turn each KsealSecret into its Secret, with no inbound port'
            cand verify 'Check that every Secret value is sealed, well formed and to the right keys (no private key needed)'
            cand convert 'Switch sealed files between a Secret and a KsealSecret (for `kseal controller`); values unchanged'
            cand import-sops 'Convert SOPS-encrypted Secrets (age) into kseal-sealed Secrets'
            cand import-sealedsecret 'Convert Bitnami SealedSecrets into kseal-sealed Secrets, with the controller''s private key'
            cand ls 'List sealed Secrets: file, name, scope, key ids, keys (no private key needed)'
            cand textconv 'Print a file with sealed values as short placeholders, for `git diff` (diff.kseal.textconv)'
            cand scan 'Find plaintext Secrets in a repository''s files, so leaks are found and rotated'
            cand hook 'Git hooks: `kseal hook install` adds a pre-commit hook running `kseal scan --staged`'
            cand completions 'Print a shell completion script'
            cand render 'Render an app (Kustomize, Helm or plain YAML) and open its sealed values: the Argo CD plugin'
            cand krm 'Kustomize KRM exec function: open the sealed Secrets of a ResourceList on stdin'
            cand version 'Print kseal''s version and the sealed value format it writes'
            cand man 'Write a man page per command into DIR (for packagers)'
            cand __complete 'Complete a kubectl plugin command line (for kubectl_complete-kseal)'
            cand copy-self 'Copy this binary into DIR (an init container of a shell-less image hands kseal to a sidecar)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kseal;help;keygen'= {
        }
        &'kseal;help;seal'= {
        }
        &'kseal;help;set'= {
        }
        &'kseal;help;open'= {
        }
        &'kseal;help;reseal'= {
        }
        &'kseal;help;edit'= {
        }
        &'kseal;help;apply'= {
        }
        &'kseal;help;cluster'= {
            cand init 'Create the key pair in the cluster (refuses if it exists)'
            cand fetch-key 'Print the cluster''s newest public key (age1...)'
            cand rotate-key 'Add a newer key: sealing uses it from now on, opening still tries every key'
            cand backup 'Write every key of the cluster, age-encrypted to offline recipients'
            cand restore 'Put the keys of a backup into a cluster that has none (a rebuilt cluster), under their names'
            cand webhook 'The admission webhook that opens sealed Secrets as they are written: install, rotate-cert'
        }
        &'kseal;help;cluster;init'= {
        }
        &'kseal;help;cluster;fetch-key'= {
        }
        &'kseal;help;cluster;rotate-key'= {
        }
        &'kseal;help;cluster;backup'= {
        }
        &'kseal;help;cluster;restore'= {
        }
        &'kseal;help;cluster;webhook'= {
            cand install 'Install or update the webhook (deploy/webhook/webhook.yaml) and its serving certificate'
            cand rotate-cert 'New serving and client certificates and CAs; the previous CAs stay trusted until the next rotation'
        }
        &'kseal;help;cluster;webhook;install'= {
        }
        &'kseal;help;cluster;webhook;rotate-cert'= {
        }
        &'kseal;help;webhook'= {
        }
        &'kseal;help;controller'= {
        }
        &'kseal;help;verify'= {
        }
        &'kseal;help;convert'= {
        }
        &'kseal;help;import-sops'= {
        }
        &'kseal;help;import-sealedsecret'= {
        }
        &'kseal;help;ls'= {
        }
        &'kseal;help;textconv'= {
        }
        &'kseal;help;scan'= {
        }
        &'kseal;help;hook'= {
            cand install 'Write a pre-commit hook running `kseal scan --staged` where git reads hooks (core.hooksPath, linked worktrees); never replaces a different hook'
        }
        &'kseal;help;hook;install'= {
        }
        &'kseal;help;completions'= {
        }
        &'kseal;help;render'= {
        }
        &'kseal;help;krm'= {
        }
        &'kseal;help;version'= {
        }
        &'kseal;help;man'= {
        }
        &'kseal;help;__complete'= {
        }
        &'kseal;help;copy-self'= {
        }
        &'kseal;help;help'= {
        }
    ]
    $completions[$command]
}
