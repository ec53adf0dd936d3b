//! The built-in gates: one registry of every check `sp` runs on Dockerfiles, `.dockerignore`
//! files, Kubernetes manifests and Helm charts, with its documentation.
//!
//! Each gate has a stable code (`G101`, never reused for another check) and a kebab-case
//! name (`run-as-non-root`, the id of `design/gates.md`). The same entry feeds `sp explain`,
//! the SARIF rule list, the Constitution Check (a principle's rules are bound to gates by
//! the trigger phrases below) and the generated documentation, the way ruff documents its
//! rules next to their code. Each entry names its check, a function of [`super::artifacts`]
//! in the file of its topic; the catalog runs it (no dispatch by name).

use serde::Serialize;

pub use super::artifacts::Scope;
use super::artifacts::{self, Artifacts, Environment, Finding, Framing, GateResult};
use crate::diagnostics::{Code, Diagnostic, Severity};

#[derive(Debug, Serialize)]
pub struct Gate {
    /// `G101`: stable, never reused.
    pub code: &'static str,
    /// `run-as-non-root`: the kebab-case id of `design/gates.md`.
    pub name: &'static str,
    /// The check that runs the gate (in `artifacts/<topic>.rs`): every entry has one, and a
    /// check that no entry names is dead code, which the build refuses (`-D warnings`).
    #[serde(skip)]
    pub(crate) check: artifacts::Check,
    pub scope: Scope,
    /// The default severity of a failure (a constitution rule's MUST / SHOULD / MAY decides
    /// when a principle claims the gate).
    pub severity: Severity,
    /// What it checks, one line.
    pub summary: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// A failing example.
    pub bad: &'static str,
    /// The fix.
    pub fix: &'static str,
    /// Lower-case phrases of constitution rules this gate enforces.
    pub triggers: &'static [&'static str],
    /// Checks of other tools with the same condition as the gate (or as the listed rules of
    /// it): a fixture that fails the peer fails here, one that passes passes.
    pub mirrors: &'static [Mirror],
    /// Checks of other tools this gate is deliberately stricter than, more lenient than, or
    /// different from, and how (`sp explain` says "stricter than CKV_K8S_28: …").
    pub strictness: &'static [Strictness],
    /// Other tools' checks and documents about the same concern, with another condition.
    pub related: &'static [&'static str],
}

/// A peer check with the same condition: `checkov CKV_K8S_22`, the tool's name first.
#[derive(Debug, Serialize)]
pub struct Mirror {
    pub peer: &'static str,
    /// The rules of the gate that check this condition (empty: all of them).
    pub rules: &'static [&'static str],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Relation {
    /// Fails everything the peer fails, and more.
    Stricter,
    /// Passes some of what the peer fails.
    Lenient,
    /// Neither: the two disagree in both directions.
    Differs,
}

/// A deliberate difference from a peer check.
#[derive(Debug, Serialize)]
pub struct Strictness {
    pub peer: &'static str,
    /// The rules of the gate that correspond to the peer's check (empty: all of them).
    pub rules: &'static [&'static str],
    pub relation: Relation,
    /// What differs, as a reader needs it.
    pub how: &'static str,
}

impl Strictness {
    /// `stricter than checkov CKV_K8S_28: requires dropping ALL, not only NET_RAW`.
    pub fn describe(&self) -> String {
        let rel = match self.relation {
            Relation::Stricter => "stricter than",
            Relation::Lenient => "more lenient than",
            Relation::Differs => "differs from",
        };
        format!("{rel} {}: {}", self.peer, self.how)
    }
}

/// A code that is no longer a gate: what it was split into. Codes are never reused.
#[derive(Debug, Serialize)]
pub struct Retired {
    pub code: &'static str,
    pub name: &'static str,
    pub replaced_by: &'static [&'static str],
}

/// Gates that were split into others (one rule, one gate).
pub static RETIRED: &[Retired] = &[Retired {
    code: "G133",
    name: "dockerfile-hygiene",
    replaced_by: &[
        "dockerfile-exec-form",
        "dockerfile-copy-not-add",
        "dockerfile-absolute-workdir",
        "dockerfile-pipefail",
        "dockerfile-pinned-packages",
        "dockerfile-no-sudo",
        "dockerfile-tls-verification",
        "dockerfile-package-signatures",
    ],
}];

/// Every gate, in catalog order (the order of `design/gates.md`, then the additions).
pub static GATES: &[Gate] = &[
    Gate {
        code: "G101",
        name: "run-as-non-root",
        check: artifacts::security::run_as_non_root,
        scope: Scope::Kubernetes,
        severity: Severity::Error,
        summary: "Every container runs as a non-root user: the effective runAsNonRoot is true (or runAsUser is above 0) and runAsUser is never 0.",
        why: "A process running as UID 0 in a container is root on the node's kernel: one container escape or writable host mount away from owning the node. `runAsNonRoot: true` makes the kubelet refuse to start a container whose image would run as root, so a base image that forgot its USER line fails loudly instead of silently running privileged. The effective value counts: a pod-level `securityContext.runAsNonRoot: true` covers every container that does not override it, so it passes (unlike linters that only read the container, kube-score #146).",
        bad: "spec:\n  containers:\n    - name: api\n      image: api:1.4.2\n      securityContext:\n        runAsUser: 0",
        fix: "Set `runAsNonRoot: true` and a numeric `runAsUser` (10000 or more) in the pod's `securityContext` (or the container's), and build the image with a numeric non-root `USER`.",
        triggers: &["non-root", "nonroot", "run as root", "runs as root", "runasnonroot"],
        mirrors: &[Mirror {
            peer: "kube-linter run-as-non-root",
            rules: &[
                "run-as-user-zero",
                "run-as-non-root-false",
                "run-as-non-root-unset",
                "run-as-group-zero",
            ],
        }],
        strictness: &[
            Strictness {
                peer: "Polaris runAsRootAllowed",
                rules: &[
                    "run-as-user-zero",
                    "run-as-non-root-false",
                    "run-as-non-root-unset",
                    "run-as-group-zero",
                ],
                relation: Relation::Stricter,
                how: "also refuses runAsGroup 0 (the root group), which Polaris does not look at",
            },
            Strictness {
                peer: "checkov CKV_K8S_23",
                rules: &[
                    "run-as-user-zero",
                    "run-as-non-root-false",
                    "run-as-non-root-unset",
                    "run-as-group-zero",
                ],
                relation: Relation::Stricter,
                how: "also refuses runAsGroup 0 (the root group)",
            },
        ],
        related: &["kube-score container-security-context-user-group-id (UID and GID above 10000: run-as-high-uid)"],
    },
    Gate {
        code: "G102",
        name: "run-as-high-uid",
        check: artifacts::security::run_as_high_uid,
        scope: Scope::Kubernetes,
        severity: Severity::Warning,
        summary: "The effective runAsUser and runAsGroup of every container are 10000 or more, and so is a Dockerfile's final numeric USER.",
        why: "UIDs below 10000 are allocated to real users and system accounts on most hosts. If a container escapes, or shares a volume with the host, a low UID maps onto an existing host identity and inherits its files. An explicit high UID/GID also lets `runAsNonRoot` be verified without inspecting the image.",
        bad: "securityContext:\n  runAsNonRoot: true\n  runAsUser: 1001\n  runAsGroup: 1001",
        fix: "Use a dedicated high UID and GID, e.g. `runAsUser: 10001` and `runAsGroup: 10001`, matching the Dockerfile's `USER 10001:10001`.",
        triggers: &["high uid", "uid of 10000", "10000 or more", "runasuser"],
        mirrors: &[],
        strictness: &[Strictness {
            peer: "checkov CKV_K8S_40",
            rules: &[
                "run-as-user-low",
                "run-as-user-unset",
                "run-as-group-low",
                "run-as-group-unset",
            ],
            relation: Relation::Stricter,
            how: "also requires runAsGroup of 10000 or more, where checkov reads runAsUser only",
        }],
        related: &[
            "kube-score container-security-context-user-group-id",
            "cdk8s-plus defaults 25000/26000",
        ],
    },
    Gate {
        code: "G103",
        name: "read-only-root-fs",
        check: artifacts::security::read_only_root_fs,
        scope: Scope::Kubernetes,
        severity: Severity::Error,
        summary: "Every container sets readOnlyRootFilesystem: true (writable paths such as /tmp or .next/cache come from emptyDir volumes).",
        why: "A writable root filesystem lets an attacker drop binaries, rewrite application code or plant configuration inside a running container, and lets the application keep state on local disk that disappears with the pod. A read-only root forces every write to an explicit volume, which documents exactly what the process writes.",
        bad: "containers:\n  - name: web\n    image: web:2.0.1\n    securityContext:\n      allowPrivilegeEscalation: false",
        fix: "Set `readOnlyRootFilesystem: true` in the container's `securityContext` and mount an `emptyDir` at each folder the process must write (`/tmp`, Next.js `/app/.next/cache`, nginx `/var/cache/nginx`).",
        triggers: &[
            "read-only",
            "readonlyrootfilesystem",
            "read only root",
            "local filesystem",
        ],
        mirrors: &[
            Mirror {
                peer: "kube-linter no-read-only-root-fs",
                rules: &[],
            },
            Mirror {
                peer: "Polaris notReadOnlyRootFilesystem",
                rules: &[],
            },
            Mirror {
                peer: "checkov CKV_K8S_22",
                rules: &[],
            },
            Mirror {
                peer: "kube-score container-security-context-readonlyrootfilesystem",
                rules: &[],
            },
        ],
        strictness: &[],
        related: &[],
    },
    Gate {
        code: "G104",
        name: "no-privilege-escalation",
        check: artifacts::security::no_privilege_escalation,
        scope: Scope::Kubernetes,
        severity: Severity::Error,
        summary: "Every container sets allowPrivilegeEscalation: false.",
        why: "Unless it is false, a process can gain more privileges than its parent through setuid binaries or file capabilities (the kernel's no_new_privs flag stays off). The default is true, so the field must be set explicitly; Pod Security Standards `restricted` requires it.",
        bad: "securityContext:\n  runAsNonRoot: true\n  allowPrivilegeEscalation: true",
        fix: "Set `allowPrivilegeEscalation: false` in every container's `securityContext` (the field exists only at container level).",
        triggers: &["privilege escalation", "allowprivilegeescalation"],
        mirrors: &[
            Mirror {
                peer: "Polaris privilegeEscalationAllowed",
                rules: &[],
            },
            Mirror {
                peer: "checkov CKV_K8S_20",
                rules: &[],
            },
            Mirror {
                peer: "kube-linter privilege-escalation-container",
                rules: &[],
            },
        ],
        strictness: &[],
        related: &["AKS container-no-privilege-escalation"],
    },
    Gate {
        code: "G105",
        name: "no-privileged",
        check: artifacts::security::no_privileged,
        scope: Scope::Kubernetes,
        severity: Severity::Error,
        summary: "No container is privileged, and no pod shares the host's PID, IPC or network namespace or binds a hostPort.",
        why: "A privileged container has every capability and direct access to the host's devices: it is root on the node. hostPID, hostIPC and hostNetwork break the namespace isolation that keeps a container from seeing and signalling host processes, reading shared memory or sniffing node traffic; a hostPort ties the pod to a node port and bypasses NetworkPolicies on many CNIs.",
        bad: "spec:\n  hostNetwork: true\n  containers:\n    - name: agent\n      securityContext:\n        privileged: true",
        fix: "Remove `privileged: true`, `hostPID`, `hostIPC`, `hostNetwork` and `hostPort`; expose the pod through a Service instead of a host port.",
        triggers: &[
            "privileged container",
            "privileged mode",
            "privileged: false",
            "host network",
            "hostnetwork",
            "hostpid",
            "hostipc",
            "hostport",
            "host namespace",
        ],
        mirrors: &[
            Mirror {
                peer: "kube-linter privileged-container",
                rules: &["privileged"],
            },
            Mirror {
                peer: "kube-linter host-network",
                rules: &["host-network"],
            },
            Mirror {
                peer: "kube-linter host-pid",
                rules: &["host-pid"],
            },
            Mirror {
                peer: "kube-linter host-ipc",
                rules: &["host-ipc"],
            },
            Mirror {
                peer: "Polaris runAsPrivileged",
                rules: &["privileged"],
            },
            Mirror {
                peer: "Polaris hostNetworkSet",
                rules: &["host-network"],
            },
            Mirror {
                peer: "Polaris hostPIDSet",
                rules: &["host-pid"],
            },
            Mirror {
                peer: "Polaris hostIPCSet",
                rules: &["host-ipc"],
            },
            Mirror {
                peer: "Polaris hostPortSet",
                rules: &["host-port"],
            },
            Mirror {
                peer: "checkov CKV_K8S_16",
                rules: &["privileged"],
            },
            Mirror {
                peer: "checkov CKV_K8S_17",
                rules: &["host-pid"],
            },
            Mirror {
                peer: "checkov CKV_K8S_18",
                rules: &["host-ipc"],
            },
            Mirror {
                peer: "checkov CKV_K8S_19",
                rules: &["host-network"],
            },
            Mirror {
                peer: "checkov CKV_K8S_26",
                rules: &["host-port"],
            },
        ],
        strictness: &[],
        related: &["kube-linter privileged-ports (containerPort below 1024, a different condition)"],
    },
    Gate {
        code: "G106",
        name: "drop-all-capabilities",
        check: artifacts::security::drop_all_capabilities,
        scope: Scope::Kubernetes,
        severity: Severity::Error,
        summary: "Every container drops ALL Linux capabilities and adds none back (NET_BIND_SERVICE alone is allowed).",
        why: "Container runtimes grant a default set of capabilities (NET_RAW, CHOWN, SETUID, DAC_OVERRIDE…) that a web service never needs; NET_RAW alone allows ARP and DNS spoofing inside the cluster network. Dropping ALL and adding back only what is proven necessary shrinks what a compromised process can do; SYS_ADMIN or NET_ADMIN added back are near-root.",
        bad: "securityContext:\n  capabilities:\n    add: [\"NET_ADMIN\"]",
        fix: "Set `capabilities: {drop: [\"ALL\"]}` in every container's `securityContext`; listen on a port above 1024 instead of adding NET_BIND_SERVICE.",
        triggers: &["capabilities"],
        mirrors: &[],
        strictness: &[
            Strictness {
                peer: "kube-linter drop-net-raw-capability",
                rules: &["drop-all-missing", "capability-added"],
                relation: Relation::Stricter,
                how: "requires dropping ALL, not only NET_RAW, and refuses any capability added back but NET_BIND_SERVICE",
            },
            Strictness {
                peer: "Polaris insecureCapabilities",
                rules: &["drop-all-missing", "capability-added"],
                relation: Relation::Stricter,
                how: "requires dropping ALL, not only Polaris's list of insecure capabilities",
            },
            Strictness {
                peer: "Polaris dangerousCapabilities",
                rules: &["capability-added"],
                relation: Relation::Stricter,
                how: "refuses every added capability but NET_BIND_SERVICE, not only SYS_ADMIN, NET_ADMIN and ALL",
            },
            Strictness {
                peer: "checkov CKV_K8S_28",
                rules: &["drop-all-missing", "capability-added"],
                relation: Relation::Stricter,
                how: "requires dropping ALL, not only NET_RAW",
            },
            Strictness {
                peer: "checkov CKV_K8S_39",
                rules: &["capability-added"],
                relation: Relation::Stricter,
                how: "refuses every added capability but NET_BIND_SERVICE, not only SYS_ADMIN",
            },
        ],
        related: &[
            "checkov CKV_K8S_37 (refuses any added capability, NET_BIND_SERVICE included)",
            "AKS container-allowed-capabilities",
        ],
    },
    Gate {
        code: "G107",
        name: "seccomp-runtime-default",
        check: artifacts::security::seccomp_runtime_default,
        scope: Scope::Kubernetes,
        severity: Severity::Error,
        summary: "Every container's effective seccompProfile.type is RuntimeDefault or Localhost (pod level, or container level overriding it).",
        why: "Without a seccomp profile a container may call every syscall of the node's kernel, including the rarely used ones where kernel exploits live. RuntimeDefault, the container runtime's curated profile, blocks the few dozen syscalls ordinary services never make (Docker's default profile disables about 44 of 300+, among them `keyctl`, `bpf`, `mount` and `kexec_load`); `Unconfined` turns that off. Pod Security Standards `restricted` requires it.",
        bad: "spec:\n  securityContext:\n    runAsNonRoot: true\n  containers:\n    - name: api\n      image: api:1.4.2",
        fix: "Set `seccompProfile: {type: RuntimeDefault}` in the pod's `securityContext` (it covers every container), and never `Unconfined` in a container's.",
        triggers: &["seccomp", "runtimedefault"],
        mirrors: &[],
        strictness: &[
            Strictness {
                peer: "checkov CKV_K8S_31",
                rules: &["seccomp-unset", "seccomp-unconfined"],
                relation: Relation::Stricter,
                how: "refuses the deprecated seccomp annotations (seccomp.security.alpha.kubernetes.io/pod), which checkov accepts: only securityContext.seccompProfile counts, as Kubernetes 1.27+ reads it",
            },
            Strictness {
                peer: "kube-score container-seccomp-profile",
                rules: &["seccomp-unset", "seccomp-unconfined"],
                relation: Relation::Stricter,
                how: "also refuses seccompProfile type Unconfined",
            },
        ],
        related: &[
            "Polaris linuxHardening (any of seccomp, AppArmor, SELinux or dropped capabilities)",
            "AKS allowed-seccomp-profiles",
        ],
    },
    Gate {
        code: "G108",
        name: "sa-token-automount-off",
        check: artifacts::identity::sa_token_automount_off,
        scope: Scope::Kubernetes,
        severity: Severity::Warning,
        summary: "Pods do not mount a ServiceAccount token (automountServiceAccountToken: false on the pod, or on its ServiceAccount), and ServiceAccounts disable automounting.",
        why: "By default every pod gets a token for the Kubernetes API mounted at /var/run/secrets/kubernetes.io/serviceaccount. An application that never talks to the API server gains nothing from it, while an attacker inside the container gains an authenticated API identity. Turn it on only for a workload whose spec needs API access, and justify it.",
        bad: "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n# automountServiceAccountToken not set: every pod using it gets a token",
        fix: "Set `automountServiceAccountToken: false` on the pod spec and on the ServiceAccount.",
        triggers: &["automount", "service account token", "serviceaccount token"],
        mirrors: &[],
        strictness: &[
            Strictness {
                peer: "Polaris automountServiceAccountToken",
                rules: &["pod-automount-on", "pod-automount-unset"],
                relation: Relation::Stricter,
                how: "also fails every ServiceAccount that does not set automountServiceAccountToken: false",
            },
            Strictness {
                peer: "checkov CKV_K8S_38",
                rules: &["pod-automount-on", "pod-automount-unset"],
                relation: Relation::Stricter,
                how: "also fails every ServiceAccount that does not set automountServiceAccountToken: false",
            },
        ],
        related: &["AKS block-automount-token"],
    },
    Gate {
        code: "G109",
        name: "dedicated-service-account",
        check: artifacts::identity::dedicated_service_account,
        scope: Scope::Kubernetes,
        severity: Severity::Warning,
        summary: "Every pod names its own ServiceAccount (not `default`), and that ServiceAccount is defined with the manifests.",
        why: "Pods without serviceAccountName run as the namespace's `default` account, shared by everything in the namespace: a role granted to one workload is granted to all. A ServiceAccount that is referenced but never created makes the pod fail admission.",
        bad: "spec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: api:1.4.2\n# no serviceAccountName: runs as `default`",
        fix: "Create one ServiceAccount per workload (with automountServiceAccountToken: false) and set `serviceAccountName` to it.",
        triggers: &[
            "dedicated serviceaccount",
            "dedicated service account",
            "serviceaccount",
            "service account",
        ],
        mirrors: &[],
        strictness: &[
            Strictness {
                peer: "kube-linter default-service-account",
                rules: &["service-account-unset", "service-account-default"],
                relation: Relation::Stricter,
                how: "also fails a serviceAccountName that no ServiceAccount of the manifests defines",
            },
            Strictness {
                peer: "kube-linter non-existent-service-account",
                rules: &["service-account-missing"],
                relation: Relation::Stricter,
                how: "also fails a pod without serviceAccountName or with `default`",
            },
        ],
        related: &[
            "checkov CKV_K8S_41 (the `default` ServiceAccount itself sets automountServiceAccountToken: false; this gate never reads that account)",
            "checkov CKV_K8S_42 (RoleBindings to the `default` ServiceAccount; not read)",
        ],
    },
    Gate {
        code: "G110",
        name: "resources-requests",
        check: artifacts::resources::resources_requests,
        scope: Scope::Kubernetes,
        severity: Severity::Error,
        summary: "Every container (init containers included) requests cpu and memory.",
        why: "The scheduler places pods by their requests. A container without them is BestEffort: it can land on a full node, is the first evicted under pressure, and makes cluster sizing guesswork. Requests are also what `minikube start --memory` must cover.",
        bad: "containers:\n  - name: api\n    image: api:1.4.2\n    resources:\n      limits:\n        memory: 512Mi",
        fix: "Set `resources.requests.cpu` and `resources.requests.memory` from measured usage (`kubectl top pods`), e.g. `cpu: 100m`, `memory: 128Mi`.",
        triggers: &[
            "resource requests",
            "requests and limits",
            "cpu and memory requests",
            "memory requests",
            "cpu requests",
        ],
        mirrors: &[
            Mirror {
                peer: "Polaris cpuRequestsMissing",
                rules: &["cpu-request-missing"],
            },
            Mirror {
                peer: "Polaris memoryRequestsMissing",
                rules: &["memory-request-missing"],
            },
            Mirror {
                peer: "checkov CKV_K8S_10",
                rules: &["cpu-request-missing"],
            },
            Mirror {
                peer: "checkov CKV_K8S_12",
                rules: &["memory-request-missing"],
            },
        ],
        strictness: &[],
        related: &[
            "kube-linter unset-cpu-requirements, unset-memory-requirements (requests or limits)",
            "kube-score container-resources (requests and limits)",
        ],
    },
    Gate {
        code: "G111",
        name: "resources-memory-limit",
        check: artifacts::resources::resources_memory_limit,
        scope: Scope::Kubernetes,
        severity: Severity::Error,
        summary: "Every container sets a memory limit, at least as large as its memory request.",
        why: "Without a memory limit one leaking container can consume the node's memory and get neighbours OOM-killed. A limit below the request is rejected by the API server; equal values give the Guaranteed QoS class.",
        bad: "resources:\n  requests:\n    memory: 256Mi\n  limits:\n    memory: 128Mi",
        fix: "Set `resources.limits.memory` to at least the request (e.g. request 128Mi, limit 512Mi).",
        triggers: &["memory limit", "requests and limits", "resource limits"],
        mirrors: &[
            Mirror {
                peer: "Polaris memoryLimitsMissing",
                rules: &["limit-missing"],
            },
            Mirror {
                peer: "checkov CKV_K8S_13",
                rules: &["limit-missing"],
            },
        ],
        strictness: &[],
        related: &["AKS container-resource-limits"],
    },
    Gate {
        code: "G112",
        name: "resources-cpu-limit",
        check: artifacts::resources::resources_cpu_limit,
        scope: Scope::Kubernetes,
        severity: Severity::Warning,
        summary: "Every container sets a cpu limit, at least as large as its cpu request.",
        why: "A CPU limit caps what one busy container takes from its neighbours on a shared node (a laptop cluster in particular). Many teams omit it on purpose because throttling adds latency; if so, waive this gate with a Complexity Tracking row rather than forgetting it.",
        bad: "resources:\n  requests:\n    cpu: 100m\n    memory: 128Mi\n  limits:\n    memory: 512Mi",
        fix: "Set `resources.limits.cpu` (e.g. `500m`), at least the request, or waive the gate explicitly.",
        triggers: &["cpu limit", "requests and limits", "resource limits"],
        mirrors: &[
            Mirror {
                peer: "Polaris cpuLimitsMissing",
                rules: &["limit-missing"],
            },
            Mirror {
                peer: "checkov CKV_K8S_11",
                rules: &["limit-missing"],
            },
        ],
        strictness: &[],
        related: &["kube-score container-resources (--ignore-container-cpu-limit)"],
    },
    Gate {
        code: "G113",
        name: "readiness-probe",
        check: artifacts::probes::readiness_probe,
        scope: Scope::Kubernetes,
        severity: Severity::Error,
        summary: "Every serving container (one that declares a port) of a long-running workload has a readinessProbe.",
        why: "Without a readiness probe a pod receives traffic as soon as its process starts, before it can answer, and keeps receiving it while it is overloaded or lost its database. During a rolling update this drops requests: the new pod is counted ready at once and the old one is removed.",
        bad: "containers:\n  - name: api\n    image: api:1.4.2\n    ports:\n      - containerPort: 8000",
        fix: "Add a `readinessProbe` (e.g. `httpGet: {path: /readyz, port: http}`) that fails while the service cannot serve.",
        triggers: &["readiness"],
        mirrors: &[],
        strictness: &[
            Strictness {
                peer: "Polaris readinessProbeMissing",
                rules: &["readiness-probe-missing"],
                relation: Relation::Lenient,
                how: "a container that declares no port serves no traffic, so it needs no readiness probe",
            },
            Strictness {
                peer: "checkov CKV_K8S_9",
                rules: &["readiness-probe-missing"],
                relation: Relation::Lenient,
                how: "a container that declares no port needs no readiness probe; batch jobs need none",
            },
        ],
        related: &[
            "kube-score pod-probes (only pods a Service targets)",
            "AKS container-enforce-probes",
        ],
    },
    Gate {
        code: "G114",
        name: "liveness-probe",
        check: artifacts::probes::liveness_probe,
        scope: Scope::Kubernetes,
        severity: Severity::Warning,
        summary: "Every container of a long-running workload has a livenessProbe.",
        why: "A process that deadlocks or wedges keeps running: without a liveness probe the kubelet never restarts it and the pod stays broken until someone notices. The probe should check only the process itself, never its dependencies, or an outage of the database restarts every pod.",
        bad: "containers:\n  - name: worker\n    image: worker:1.0.0\n    readinessProbe:\n      exec:\n        command: [\"true\"]",
        fix: "Add a `livenessProbe` on a cheap endpoint of the process itself (`/healthz`, or a heartbeat file for workers).",
        triggers: &["liveness"],
        mirrors: &[
            Mirror {
                peer: "Polaris livenessProbeMissing",
                rules: &["liveness-probe-missing"],
            },
            Mirror {
                peer: "checkov CKV_K8S_8",
                rules: &["liveness-probe-missing"],
            },
        ],
        strictness: &[],
        related: &["kube-linter no-liveness-probe (optional)"],
    },
    Gate {
        code: "G115",
        name: "probes-distinct",
        check: artifacts::probes::probes_distinct,
        scope: Scope::Kubernetes,
        severity: Severity::Warning,
        summary: "A container's liveness and readiness probes are not identical (they differ in path, command or thresholds).",
        why: "Readiness answers \"should this pod get traffic now?\", liveness \"is this process beyond repair?\". When both are the same probe, a slow dependency makes the pod unready and then restarts it at the same moment, turning a brownout into a crash loop across every replica.",
        bad: "livenessProbe:\n  httpGet: {path: /health, port: http}\nreadinessProbe:\n  httpGet: {path: /health, port: http}",
        fix: "Point readiness at a dependency-aware endpoint (`/readyz`) and liveness at a process-only one (`/healthz`), or at least give liveness a longer period and higher failureThreshold.",
        triggers: &[
            "differ in path",
            "probes that differ",
            "identical probes",
            "distinct probes",
        ],
        mirrors: &[Mirror {
            peer: "kube-score pod-probes-identical",
            rules: &[],
        }],
        strictness: &[],
        related: &[],
    },
    Gate {
        code: "G116",
        name: "startup-probe-slow-start",
        check: artifacts::probes::startup_probe_slow_start,
        scope: Scope::Kubernetes,
        severity: Severity::Info,
        summary: "A container that starts slowly (a liveness initialDelaySeconds of 30 or more, or a JVM or ML image) has a startupProbe.",
        why: "A liveness probe that fires during a slow boot (JVM warm-up, model loading, Next.js cold start) kills the container before it ever serves, and a long initialDelaySeconds, the usual workaround, delays detection of real hangs for the life of the pod. A startupProbe holds liveness back only until the first success.",
        bad: "containers:\n  - name: api\n    image: eclipse-temurin:21-jre\n    livenessProbe:\n      initialDelaySeconds: 90\n      httpGet: {path: /healthz, port: http}",
        fix: "Add a `startupProbe` on the same endpoint with `failureThreshold × periodSeconds` covering the worst boot time, and drop the long `initialDelaySeconds`.",
        triggers: &["startup probe", "startupprobe", "cold start", "slow start", "slow boot"],
        mirrors: &[],
        strictness: &[],
        related: &["Kubernetes docs: protect slow starting containers with startup probes"],
    },
    Gate {
        code: "G117",
        name: "probe-ports-exposed",
        check: artifacts::probes::probe_ports_exposed,
        scope: Scope::Kubernetes,
        severity: Severity::Error,
        summary: "Every httpGet, tcpSocket or grpc probe targets a port the container declares (by number or name).",
        why: "A probe aimed at a port the container does not declare usually means the port was renamed or changed on one side only: the probe then fails forever (pods never ready, or restarted in a loop), or by luck hits another listener and reports nothing useful.",
        bad: "ports:\n  - name: http\n    containerPort: 8000\nreadinessProbe:\n  httpGet:\n    path: /readyz\n    port: metrics",
        fix: "Name the container port (`name: http`) and refer to that name in every probe.",
        triggers: &["probe port", "probes target"],
        mirrors: &[
            Mirror {
                peer: "kube-linter liveness-port",
                rules: &["probe-port-undeclared", "probe-port-not-tcp"],
            },
            Mirror {
                peer: "kube-linter readiness-port",
                rules: &["probe-port-undeclared", "probe-port-not-tcp"],
            },
            Mirror {
                peer: "kube-linter startup-port",
                rules: &["probe-port-undeclared", "probe-port-not-tcp"],
            },
        ],
        strictness: &[],
        related: &[],
    },
    Gate {
        code: "G118",
        name: "image-tag-pinned",
        check: artifacts::images::image_tag_pinned,
        scope: Scope::Kubernetes,
        severity: Severity::Error,
        summary: "No container image or Dockerfile FROM (or COPY --from image) is untagged or `latest`; a @sha256 digest is best.",
        why: "`latest` and untagged references resolve to whatever was pushed last: two nodes can run different code under one Deployment, a rollback restores nothing, and a rebuild silently picks up a new base image. A version tag is reproducible as long as nobody re-pushes it; a digest always is.",
        bad: "FROM node:latest AS build\n…\ncontainers:\n  - name: api\n    image: myorg/api",
        fix: "Use an explicit version tag (`node:24.11-alpine3.22`, `api:1.4.2`), or a digest (`@sha256:…`) for immutability.",
        triggers: &["pinned", "latest", "untagged", "digest"],
        mirrors: &[],
        strictness: &[
            Strictness {
                peer: "kube-linter latest-tag",
                rules: &["image-untagged", "image-mutable-tag"],
                relation: Relation::Stricter,
                how: "also refuses the moving tags main, master, dev, develop, edge, nightly, head, canary, stable and snapshot",
            },
            Strictness {
                peer: "Polaris tagNotSpecified",
                rules: &["image-untagged", "image-mutable-tag"],
                relation: Relation::Stricter,
                how: "also refuses the moving tags main, master, dev, edge, nightly, stable…",
            },
            Strictness {
                peer: "checkov CKV_K8S_14",
                rules: &["image-untagged", "image-mutable-tag"],
                relation: Relation::Stricter,
                how: "also refuses the moving tags main, master, dev, edge, nightly, stable…",
            },
            Strictness {
                peer: "kube-score container-image-tag",
                rules: &["image-untagged", "image-mutable-tag"],
                relation: Relation::Stricter,
                how: "also refuses the moving tags main, master, dev, edge, nightly, stable…",
            },
            Strictness {
                peer: "hadolint DL3007",
                rules: &["from-mutable-tag"],
                relation: Relation::Stricter,
                how: "also refuses the moving tags main, master, dev, edge, nightly, stable…",
            },
            Strictness {
                peer: "hadolint DL3006",
                rules: &["from-untagged"],
                relation: Relation::Stricter,
                how: "none on untagged images; also refuses `latest` and other moving tags",
            },
            Strictness {
                peer: "checkov CKV_DOCKER_7",
                rules: &["from-untagged", "from-mutable-tag"],
                relation: Relation::Stricter,
                how: "also refuses the moving tags main, master, dev, edge, nightly, stable…",
            },
            Strictness {
                peer: "checkov CKV_K8S_43",
                rules: &["image-untagged", "image-mutable-tag"],
                relation: Relation::Lenient,
                how: "a version tag passes; checkov requires a digest",
            },
        ],
        related: &["AKS container-no-latest-image"],
    },
    Gate {
        code: "G119",
        name: "image-pull-policy",
        check: artifacts::images::image_pull_policy,
        scope: Scope::Kubernetes,
        severity: Severity::Warning,
        summary: "Every container sets imagePullPolicy explicitly: IfNotPresent (or Never) for a fixed tag or digest, Always only for a mutable tag.",
        why: "The implicit default depends on the tag (Always for `latest` or none, IfNotPresent otherwise), so the behaviour changes when someone edits the tag. IfNotPresent with a mutable tag runs stale images on nodes that pulled earlier; Always with a digest only adds a registry round-trip to every start and breaks images loaded into a local cluster.",
        bad: "containers:\n  - name: api\n    image: api:latest\n    imagePullPolicy: IfNotPresent",
        fix: "Pin the tag and set `imagePullPolicy: IfNotPresent` (or `Never` for images loaded with `minikube image load`).",
        triggers: &["pull policy", "pullpolicy"],
        mirrors: &[],
        strictness: &[
            Strictness {
                peer: "checkov CKV_K8S_15",
                rules: &[
                    "pull-policy-unset",
                    "pull-policy-always-with-digest",
                    "pull-policy-cached-mutable-tag",
                    "pull-policy-invalid",
                ],
                relation: Relation::Differs,
                how: "accepts IfNotPresent (and Never) for a pinned tag or digest, where checkov requires Always; and refuses Always with a digest",
            },
            Strictness {
                peer: "Polaris pullPolicyNotAlways",
                rules: &[
                    "pull-policy-unset",
                    "pull-policy-always-with-digest",
                    "pull-policy-cached-mutable-tag",
                    "pull-policy-invalid",
                ],
                relation: Relation::Differs,
                how: "accepts IfNotPresent for a pinned tag or digest, where Polaris requires Always",
            },
            Strictness {
                peer: "kube-score container-image-pull-policy",
                rules: &[
                    "pull-policy-unset",
                    "pull-policy-always-with-digest",
                    "pull-policy-cached-mutable-tag",
                    "pull-policy-invalid",
                ],
                relation: Relation::Differs,
                how: "accepts IfNotPresent for a pinned tag or digest, where kube-score requires Always",
            },
        ],
        related: &["Helm chart best practices (pods)"],
    },
    Gate {
        code: "G120",
        name: "replicas-min-2",
        check: artifacts::availability::replicas_min_2,
        scope: Scope::Kubernetes,
        severity: Severity::Error,
        summary: "In production every Deployment runs at least 2 replicas (or is scaled by an HPA with minReplicas ≥ 2 and sets no replicas itself). Off for local.",
        why: "A single replica means every rollout, node drain or crash is an outage. With two or more, a PodDisruptionBudget and a zero-downtime rollout can keep one serving. When an HPA scales the Deployment, a `replicas` field in the manifest fights it: every apply resets the count.",
        bad: "# values-production.yaml\ncomponents:\n  api:\n    replicas: 1",
        fix: "Set 2 or more replicas in the production values (or an HPA with `minReplicas: 2`, and remove `replicas` from the Deployment).",
        triggers: &[
            "at least 2 replicas",
            "at least two replicas",
            "replicas of each",
            "minimum replicas",
            "high availability",
            "highly available",
        ],
        mirrors: &[],
        strictness: &[],
        related: &[
            "Polaris deploymentMissingReplicas",
            "kube-score deployment-replicas, deployment-targeted-by-hpa-does-not-have-replicas-configured",
            "kube-linter minimum-three-replicas (three, optional)",
        ],
    },
    Gate {
        code: "G121",
        name: "rolling-update-zero-downtime",
        check: artifacts::availability::rolling_update,
        scope: Scope::Kubernetes,
        severity: Severity::Error,
        summary: "In production every Deployment uses strategy RollingUpdate with maxUnavailable 0 and maxSurge ≥ 1. Off for local.",
        why: "`Recreate` stops every pod before starting the new ones. The RollingUpdate default (maxUnavailable 25%, rounded down; maxSurge 25%, rounded up) lets a quarter of the serving pods go before their replacements are ready, so capacity drops during every release once there are four replicas or more. An explicit maxUnavailable 0 with a surge of at least 1 starts a new pod, waits for its readiness probe, then retires an old one.",
        bad: "strategy:\n  type: RollingUpdate\n  rollingUpdate:\n    maxUnavailable: 1\n    maxSurge: 0",
        fix: "Set `strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}`.",
        triggers: &[
            "rollingupdate",
            "rolling update",
            "zero-downtime",
            "zero downtime",
            "maxunavailable: 0",
        ],
        mirrors: &[],
        strictness: &[],
        related: &[
            "kube-score deployment-strategy",
            "kube-linter no-rolling-update-strategy (optional)",
        ],
    },
    Gate {
        code: "G122",
        name: "pdb-present-and-sane",
        check: artifacts::availability::pdb_present_and_sane,
        scope: Scope::Kubernetes,
        severity: Severity::Error,
        summary: "In production every workload with 2 or more replicas is selected by a PodDisruptionBudget that allows one eviction (maxUnavailable ≥ 1 or minAvailable < replicas) with unhealthyPodEvictionPolicy AlwaysAllow. Off for local.",
        why: "Without a budget a node drain may evict every replica at once. A budget that allows no disruption (maxUnavailable 0, or minAvailable equal to the replicas) blocks drains and cluster upgrades forever. With the default IfHealthyBudget policy, pods that never became ready also block drains; AlwaysAllow lets them be evicted, since they serve nothing.",
        bad: "apiVersion: policy/v1\nkind: PodDisruptionBudget\nspec:\n  minAvailable: 2   # the Deployment has 2 replicas: nothing can ever be evicted\n  selector:\n    matchLabels: {app.kubernetes.io/name: api}",
        fix: "Create one PDB per workload with `maxUnavailable: 1`, the workload's selector labels, and `unhealthyPodEvictionPolicy: AlwaysAllow`.",
        triggers: &["poddisruptionbudget", "disruption budget", "pdb"],
        mirrors: &[],
        strictness: &[],
        related: &[
            "Polaris missingPodDisruptionBudget, pdbDisruptionsIsZero",
            "kube-score deployment-has-poddisruptionbudget",
            "kube-linter pdb-max-unavailable, pdb-min-available, pdb-unhealthy-pod-eviction-policy",
            "AKS disallowed-bad-pod-disruption-budgets",
        ],
    },
    Gate {
        code: "G123",
        name: "graceful-shutdown",
        check: artifacts::shutdown::graceful_shutdown,
        scope: Scope::Kubernetes,
        severity: Severity::Warning,
        summary: "Every container of a long-running workload has a preStop hook that waits (sleep action, or exec sleep) and the pod's terminationGracePeriodSeconds exceeds that wait.",
        why: "When a pod is deleted, the kubelet sends SIGTERM while Services, kube-proxy and ingress controllers are still removing it from their endpoints: for a few seconds requests keep arriving at a process that is shutting down. A short preStop sleep keeps serving until the endpoints are updated; the grace period must cover that sleep plus the application's own drain, or SIGKILL cuts in-flight requests.",
        bad: "spec:\n  terminationGracePeriodSeconds: 5\n  containers:\n    - name: api\n      lifecycle:\n        preStop:\n          sleep:\n            seconds: 10",
        fix: "Add `lifecycle.preStop.sleep.seconds: 5` (Kubernetes ≥ 1.30; `exec: [sleep, \"5\"]` before) and keep `terminationGracePeriodSeconds` above the sleep plus the drain time (30 by default).",
        triggers: &["prestop", "graceful", "terminationgraceperiodseconds", "drain time"],
        mirrors: &[],
        strictness: &[],
        related: &["AKS container-enforce-pre-stop-hook", "Kubernetes pod termination docs"],
    },
    Gate {
        code: "G124",
        name: "spread-replicas",
        check: artifacts::availability::spread_replicas,
        scope: Scope::Kubernetes,
        severity: Severity::Warning,
        summary: "A workload with more than one replica spreads them over nodes (topologySpreadConstraints or a podAntiAffinity on kubernetes.io/hostname).",
        why: "Replicas only protect against node failure when they run on different nodes. The scheduler does not guarantee it: two replicas on one node go down together during a drain or a node crash, and the PodDisruptionBudget cannot help.",
        bad: "spec:\n  replicas: 3\n  template:\n    spec:\n      containers: [ … ]   # no topologySpreadConstraints, no podAntiAffinity",
        fix: "Add `topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: <selector labels>}}]`.",
        triggers: &["topology spread", "anti-affinity", "antiaffinity", "spread"],
        mirrors: &[],
        strictness: &[],
        related: &[
            "kube-linter no-anti-affinity",
            "kube-score deployment-has-host-podantiaffinity, pod-topology-spread-constraints",
            "Polaris topologySpreadConstraint",
            "AKS pod-enforce-antiaffinity",
        ],
    },
    Gate {
        code: "G125",
        name: "no-secrets-in-configmap",
        check: artifacts::secrets::no_secrets_in_configmap,
        scope: Scope::Kubernetes,
        severity: Severity::Error,
        summary: "No ConfigMap key looks like a secret (password, token, secret, bearer, *_KEY, private key) and no value holds a credential.",
        why: "ConfigMaps are not access-controlled like Secrets: anyone who can read configuration in the namespace, and every `kubectl describe`, CI log and GitOps diff, sees their contents in clear text. A credential that lands there has leaked.",
        bad: "kind: ConfigMap\ndata:\n  DATABASE_PASSWORD: hunter2",
        fix: "Move the value into a Secret (created from the command line, never committed) and read it with `secretKeyRef` or as a mounted file.",
        triggers: &["configmap", "config map"],
        mirrors: &[],
        strictness: &[],
        related: &["Polaris sensitiveConfigmapContent"],
    },
    Gate {
        code: "G126",
        name: "no-secret-env-literals",
        check: artifacts::secrets::no_secret_env_literals,
        scope: Scope::Kubernetes,
        severity: Severity::Error,
        summary: "No container env variable with a secret-like name has a literal value, and no Dockerfile ENV or ARG has a secret-like name.",
        why: "A literal `value:` is stored in the manifest, in git and in every ReplicaSet revision, and shown by `kubectl describe`. In a Dockerfile, ENV values and ARG values are baked into the image metadata and history, readable by anyone who can pull the image. Secrets belong in Kubernetes Secrets, read through `valueFrom.secretKeyRef` (or a read-only mounted file where the code reads `<NAME>_FILE`), and in BuildKit secret mounts at build time. An ARG the bundler inlines into the browser's JavaScript (`NEXT_PUBLIC_*`, `VITE_*`, `REACT_APP_*`, `GATSBY_*`) is public by design, whatever its name: every visitor downloads its value, so only a credential-shaped value fails it.",
        bad: "env:\n  - name: OPENAI_API_KEY\n    value: sk-live-1234\n# Dockerfile\nARG NPM_TOKEN",
        fix: "Use `valueFrom.secretKeyRef` (or mount the Secret as a file where the code reads `<NAME>_FILE`); in Dockerfiles use `RUN --mount=type=secret,id=…`.",
        triggers: &[
            "secretkeyref",
            "literal env",
            "secrets in",
            "secret in",
            "kubernetes secret",
            "`env` instruction",
            "arg default",
        ],
        mirrors: &[],
        strictness: &[],
        related: &[
            "kube-linter env-var-secret",
            "Polaris sensitiveContainerEnvVar",
            "BuildKit SecretsUsedInArgOrEnv",
            "checkov CKV_K8S_35 (prefers Secrets mounted as files over environment variables; this gate accepts secretKeyRef, the way sp delivers secrets)",
        ],
    },
    Gate {
        code: "G127",
        name: "recommended-labels",
        check: artifacts::labels::recommended_labels,
        scope: Scope::Kubernetes,
        severity: Severity::Error,
        summary: "Workloads, pod templates and Services carry app.kubernetes.io/name and instance, selectors use only those stable labels, and a chart's templates set name, instance, managed-by and helm.sh/chart (the other recommended labels: recommended-labels-complete).",
        why: "The recommended labels are how kubectl, dashboards, Helm and cost tools find everything that belongs to one application instance; name and instance are the ones every query and selector relies on. Selectors are immutable on Deployments: a selector that includes a changing label (version, helm.sh/chart) breaks the next upgrade or leaves old pods orphaned.",
        bad: "metadata:\n  labels:\n    app: api\nspec:\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: api\n      app.kubernetes.io/version: 1.4.2",
        fix: "Label every object with app.kubernetes.io/name, instance, version, component, part-of and managed-by (plus helm.sh/chart in a chart), and select with name and instance only.",
        triggers: &["labels", "app.kubernetes.io"],
        mirrors: &[],
        strictness: &[],
        related: &[
            "Kubernetes recommended labels (common-labels)",
            "Helm chart best practices (labels)",
            "helm create _helpers.tpl",
        ],
    },
    Gate {
        code: "G128",
        name: "selector-matches-template",
        check: artifacts::labels::selector_matches_template,
        scope: Scope::Kubernetes,
        severity: Severity::Error,
        summary: "Every workload's selector matches its pod template labels, every Service (and PDB) selects at least one pod, and no two Services share one selector.",
        why: "A Deployment whose selector does not match its template is rejected by the API server; a Service whose selector matches no pod has no endpoints and answers nothing, which only shows up at run time as connection refused. Two Services with the same selector usually means one of them was copied and forgotten.",
        bad: "kind: Service\nspec:\n  selector:\n    app.kubernetes.io/name: backend   # the pods are labelled `api`",
        fix: "Build selectors and pod labels from the same selector labels (name and instance), and check `kubectl get endpoints` after a change.",
        triggers: &["selector"],
        mirrors: &[
            Mirror {
                peer: "kube-linter mismatching-selector",
                rules: &["selector-mismatch"],
            },
            Mirror {
                peer: "kube-linter dangling-service",
                rules: &["service-selects-nothing"],
            },
        ],
        strictness: &[],
        related: &[
            "kube-score deployment-selector-labels-match-template, service-targets-pod",
            "AKS unique-service-selectors",
        ],
    },
    Gate {
        code: "G129",
        name: "no-namespace-in-templates",
        check: artifacts::chart::templates::no_namespace_in_templates,
        scope: Scope::Chart,
        severity: Severity::Warning,
        summary: "Chart templates never hard-code metadata.namespace (`{{ .Release.Namespace }}` is fine).",
        why: "A chart is installed with `helm install -n <namespace>`; a hard-coded namespace puts objects somewhere else than the release, so `helm uninstall`, `helm test` and the NetworkPolicies of the release no longer see them, and the same chart cannot be installed twice.",
        bad: "metadata:\n  name: {{ include \"app.fullname\" . }}\n  namespace: production",
        fix: "Remove the namespace, or write `namespace: {{ .Release.Namespace }}` (which checkov needs to see that the namespace is not `default`).",
        triggers: &["namespace in templates", "metadata.namespace", "hard-coded namespace"],
        mirrors: &[],
        strictness: &[],
        related: &["Helm chart best practices (conventions: namespaces)"],
    },
    Gate {
        code: "G130",
        name: "dockerfile-multi-stage",
        check: artifacts::dockerfile::build::multi_stage,
        scope: Scope::Dockerfile,
        severity: Severity::Error,
        summary: "Every Dockerfile has at least two stages and its final stage carries no build toolchain (no package install, compiler or build command, no builder base image, no uv binary copied in).",
        why: "Build tools (compilers, npm, uv, pip, the Go toolchain) in the runtime image multiply its size and its CVE count and give an attacker a ready-made toolkit. A multi-stage build installs and compiles in a builder stage and copies only the result (a virtualenv, a standalone server, a static binary) into a minimal runtime stage.",
        bad: "FROM python:3.13-slim\nCOPY . /app\nRUN pip install -r requirements.txt\nCMD [\"uvicorn\", \"app.main:app\"]",
        fix: "Build in a first stage (`FROM python:3.13-slim AS build` … `uv sync --locked`), then `FROM python:3.13-slim AS runtime` and `COPY --from=build /app/.venv /app/.venv`.",
        triggers: &["multi-stage", "multistage", "build toolchain", "runtime stage contains"],
        mirrors: &[],
        strictness: &[],
        related: &[
            "uv docs (multistage)",
            "Next.js with-docker example",
            "hadolint DL3022, DL3024 (stage references)",
        ],
    },
    Gate {
        code: "G131",
        name: "dockerfile-non-root-user",
        check: artifacts::dockerfile::build::non_root_user,
        scope: Scope::Dockerfile,
        severity: Severity::Error,
        summary: "The final stage of every Dockerfile sets a USER that is not root (numeric UID:GID preferred).",
        why: "Without USER the image runs as root, and so does the container unless Kubernetes overrides it. A numeric USER (`10001:10001`) lets the kubelet verify `runAsNonRoot` without resolving names in /etc/passwd; a name-only USER is refused under runAsNonRoot unless runAsUser is also set.",
        bad: "FROM node:24.11-alpine3.22 AS runtime\nCOPY --from=build /app .\nCMD [\"node\", \"server.js\"]",
        fix: "End the runtime stage with `USER 10001:10001` (after any RUN that needs root).",
        triggers: &[
            "non-root `user`",
            "numeric non-root",
            "numeric user",
            "`user`",
            "user instruction",
        ],
        mirrors: &[Mirror {
            peer: "checkov CKV_DOCKER_8",
            rules: &["user-root"],
        }],
        strictness: &[
            Strictness {
                peer: "hadolint DL3002",
                rules: &["user-root"],
                relation: Relation::Differs,
                how: "only the final stage counts: a build stage that ends as root never runs, so it passes; a final stage with no USER at all fails (it runs as root too)",
            },
            Strictness {
                peer: "checkov CKV_DOCKER_3",
                rules: &["user-missing"],
                relation: Relation::Stricter,
                how: "a USER must be set in the final stage, not only somewhere in the file",
            },
        ],
        related: &[],
    },
    Gate {
        code: "G132",
        name: "dockerfile-healthcheck",
        check: artifacts::dockerfile::build::healthcheck,
        scope: Scope::Dockerfile,
        severity: Severity::Warning,
        summary: "The final stage of every Dockerfile declares a HEALTHCHECK (not HEALTHCHECK NONE).",
        why: "Docker and Compose use HEALTHCHECK to report and restart unhealthy containers when the image runs outside Kubernetes (local runs, CI smoke tests). Kubernetes ignores it and uses the probes, so the two should check the same endpoint.",
        bad: "FROM alpine:3.22.2\nCOPY --from=build /app/server /app/server\nUSER 10001:10001\nCMD [\"/app/server\"]",
        fix: "Add `HEALTHCHECK --interval=30s --timeout=5s CMD [\"wget\", \"-q\", \"-O\", \"/dev/null\", \"http://127.0.0.1:8080/healthz\"]`.",
        triggers: &["healthcheck"],
        mirrors: &[Mirror {
            peer: "checkov CKV_DOCKER_2",
            rules: &[],
        }],
        strictness: &[],
        related: &["hadolint DL3057 (ignored by default)"],
    },
    Gate {
        code: "G134",
        name: "dockerignore-present",
        check: artifacts::dockerfile::ignore::dockerignore_present,
        scope: Scope::Dockerfile,
        severity: Severity::Error,
        summary: "Every Dockerfile has a .dockerignore (`<name>.Dockerfile.dockerignore` beside it, or `.dockerignore` in its folder or above) that excludes .git, .env files, key files, and the stack's node_modules, .next or .venv.",
        why: "Everything in the build context is sent to the builder and can end up in a layer through `COPY . .`: the git history, `.env` files with real credentials, private keys. Host-built node_modules or a .venv copied over the image's own install breaks it (native modules and interpreter paths are platform-specific) and invalidates the layer cache on every change.",
        bad: "# .dockerignore\nnode_modules\n# .git, .env and .next are still sent to the builder",
        fix: "Write a .dockerignore with at least `.git`, `.env`, `.env.*`, `!.env.example`, `**/*.pem`, `**/*.key`, and `node_modules`/`.next` (Node.js) or `.venv` (Python).",
        triggers: &["dockerignore", "build context"],
        mirrors: &[],
        strictness: &[],
        related: &[
            "uv docs (.venv in .dockerignore)",
            "Docker build-context best practices",
        ],
    },
    Gate {
        code: "G135",
        name: "helm-values-schema",
        check: artifacts::chart::values::values_schema,
        scope: Scope::Chart,
        severity: Severity::Error,
        summary: "The chart ships values.schema.json, and values.yaml, and each values-*.yaml layered over it, satisfy the schema (every keyword of its draft: required keys, additionalProperties, types, enums, minimums, patterns, formats).",
        why: "Helm validates the merged values against values.schema.json on install, upgrade, lint and template, so a typo in a values file (`replica: 2`) or a wrong type fails before anything reaches the cluster instead of rendering a silently wrong manifest. `helm create` does not scaffold a schema (helm #10009), so charts usually lack one; a schema that its own values files violate breaks every install.",
        bad: "# values-production.yaml\ncomponents:\n  api:\n    replica: 2      # schema: additionalProperties false\n    image:\n      pullPolicy: Sometimes",
        fix: "Add values.schema.json (draft-07) with `additionalProperties: false`, `required`, types and enums, and keep every values file valid against it (`helm lint -f values-production.yaml`).",
        triggers: &["values.schema.json", "values schema", "json schema"],
        mirrors: &[],
        strictness: &[],
        related: &["Helm docs charts (schema files)", "helm #10009 (not scaffolded)"],
    },
    Gate {
        code: "G136",
        name: "helm-notes-present",
        check: artifacts::chart::templates::notes_present,
        scope: Scope::Chart,
        severity: Severity::Warning,
        summary: "The chart has a non-empty templates/NOTES.txt with balanced template delimiters.",
        why: "NOTES.txt is what `helm install` prints: how to reach the application, which Secrets must exist, how to run `helm test`. Without it users are left to guess; with an unbalanced `{{` the install fails at render time.",
        bad: "templates/\n  deployment.yaml\n  service.yaml\n# no NOTES.txt",
        fix: "Add templates/NOTES.txt that prints how to wait for the pods, reach each Service and run `helm test`.",
        triggers: &["notes.txt", "notes"],
        mirrors: &[],
        strictness: &[],
        related: &["helm create scaffold (templates/NOTES.txt)"],
    },
    Gate {
        code: "G137",
        name: "helm-tests-present",
        check: artifacts::chart::templates::tests_present,
        scope: Scope::Chart,
        severity: Severity::Warning,
        summary: "The chart has templates/tests/* with a `helm.sh/hook: test` annotation, a hook-delete-policy, a pinned image and a hardened securityContext.",
        why: "`helm test` is the post-install smoke test that proves the release answers; without a test hook nothing checks it. Test pods are pods like any other: an unpinned image makes the test irreproducible, no hook-delete-policy leaves finished pods behind (and blocks the next run), and a root test pod is refused by a `restricted` namespace.",
        bad: "# templates/tests/test-connection.yaml\nkind: Pod\nmetadata:\n  annotations:\n    helm.sh/hook: test\nspec:\n  containers:\n    - name: wget\n      image: busybox",
        fix: "Add templates/tests/test-connection.yaml: a Pod with `helm.sh/hook: test`, `helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded`, a pinned image (`busybox:1.37`) and the workloads' securityContext.",
        triggers: &["helm test", "test hook", "chart test"],
        mirrors: &[],
        strictness: &[],
        related: &["Helm docs chart_tests", "helm create test-connection.yaml"],
    },
    Gate {
        code: "G138",
        name: "helm-chart-conventions",
        check: artifacts::chart::conventions::conventions,
        scope: Scope::Chart,
        severity: Severity::Warning,
        summary: "Chart name DNS-1123 (≤ 63), SemVer version, quoted appVersion, namespaced define names (<chart>.*), image references from values, camelCase values keys each documented by a comment starting with its name.",
        why: "Helm and registries reject or mangle chart names that are not DNS-1123 and versions that are not SemVer 2. An unquoted appVersion like 1.10 becomes the number 1.1. Un-namespaced `define`s collide with those of subcharts (last one wins, silently). Image repositories and tags hard-coded in templates cannot be overridden per environment. camelCase keys and a comment per key, starting with the key's name, are what `helm show values` readers and tooling rely on.",
        bad: "# Chart.yaml\nname: My_Chart\nversion: 1.0\nappVersion: 1.10\n# _helpers.tpl\n{{- define \"fullname\" -}}",
        fix: "`name: my-chart`, `version: 1.0.0`, `appVersion: \"1.10\"`, `{{- define \"my-chart.fullname\" -}}`, `image: {{ .Values.image.repository }}:{{ .Values.image.tag }}`, and `# replicaCount is …` above `replicaCount: 1`.",
        triggers: &[
            "helm lint",
            "helm chart",
            "chart name",
            "semver",
            "hard-coded in templates",
            "image repositories",
        ],
        mirrors: &[],
        strictness: &[],
        related: &[
            "Helm chart best practices (conventions, values, templates)",
            "helm lint",
        ],
    },
    Gate {
        code: "G139",
        name: "image-size-budget-recorded",
        check: artifacts::dockerfile::build::size_budget,
        scope: Scope::Dockerfile,
        severity: Severity::Info,
        summary: "A Dockerfile that carries an image size budget records it in its header as `# Image size budget: <N> MB`, so it can be checked after the build.",
        why: "A size budget stated in the spec or the constitution (\"the backend image under 150MB\") is only useful if it travels with the Dockerfile and is checked after each build (`docker image ls`). A budget line that does not state a number and a unit, or that is buried below the instructions, cannot be checked by a script.",
        bad: "# api: Go (net/http).\n# Image size budget: small\nFROM golang:1.25.4-alpine3.22 AS build",
        fix: "Write the budget before the first instruction: `# Image size budget: 150 MB (check with `docker image ls api:1.0.0`).`",
        triggers: &[
            "image size",
            "size budget",
            "must stay under",
            "images under",
            "image under",
        ],
        mirrors: &[],
        strictness: &[],
        related: &["sp deployment model (size budgets from the spec)", "docker image ls"],
    },
    Gate {
        code: "G140",
        name: "network-policy-coverage",
        check: artifacts::labels::network_policy_coverage,
        scope: Scope::Kubernetes,
        severity: Severity::Error,
        summary: "Every pod of a long-running workload is selected by a NetworkPolicy in its namespace (a default-deny policy with an empty podSelector counts).",
        why: "Kubernetes allows all traffic between pods until a NetworkPolicy selects them: one compromised pod can then reach every database and internal API of the cluster. A default-deny policy plus one policy per workload admitting exactly the traffic it serves limits the blast radius, and documents the architecture's allowed flows.",
        bad: "kind: Deployment\nmetadata:\n  name: api\n# no NetworkPolicy selects app.kubernetes.io/name: api",
        fix: "Add a `default-deny` NetworkPolicy (`podSelector: {}`, policyTypes Ingress and Egress), DNS egress, and one policy per workload that admits its callers on its port.",
        triggers: &["network polic", "networkpolic"],
        mirrors: &[Mirror {
            peer: "kube-linter non-isolated-pod",
            rules: &[],
        }],
        strictness: &[Strictness {
            peer: "Polaris missingNetworkPolicy",
            rules: &["no-network-policy"],
            relation: Relation::Lenient,
            how: "any NetworkPolicy that selects the pod counts (a default-deny policy too), where Polaris wants one policy that lists both Ingress and Egress and has rules for each",
        }],
        related: &[],
    },
    Gate {
        code: "G141",
        name: "recommended-labels-complete",
        check: artifacts::labels::recommended_labels_complete,
        scope: Scope::Kubernetes,
        severity: Severity::Warning,
        summary: "Workloads, pod templates and Services also carry app.kubernetes.io/version, component, part-of and managed-by, and a chart's templates set version, component and part-of.",
        why: "Beyond name and instance (recommended-labels), version tells which release a pod runs during a rollout, component separates the frontend from the API and the cache, part-of groups everything of one application across releases, and managed-by tells a reader whether Helm, sp or a person owns the object before they edit it by hand. Tools such as the Kubernetes dashboard, Argo CD and cost reports group by them.",
        bad: "metadata:\n  labels:\n    app.kubernetes.io/name: api\n    app.kubernetes.io/instance: shop\n# no version, component, part-of, managed-by",
        fix: "Add `app.kubernetes.io/version: \"1.4.2\"`, `app.kubernetes.io/component: backend`, `app.kubernetes.io/part-of: shop` and `app.kubernetes.io/managed-by: Helm` (or your tool) to the object and its pod template.",
        triggers: &["labels", "part-of", "managed-by"],
        mirrors: &[],
        strictness: &[],
        related: &[
            "Kubernetes recommended labels (common-labels: version, component, part-of, managed-by)",
            "Helm chart best practices (labels)",
        ],
    },
    Gate {
        code: "G142",
        name: "dockerfile-exec-form",
        check: artifacts::dockerfile::instructions::exec_form,
        scope: Scope::Dockerfile,
        severity: Severity::Warning,
        summary: "CMD and ENTRYPOINT use the JSON (exec) form.",
        why: "In shell form (`CMD uvicorn app.main:app`) the process runs under `/bin/sh -c`, which becomes PID 1 and does not forward SIGTERM: `docker stop` and pod deletion never reach the application, so graceful shutdown never happens and the container is SIGKILLed after the grace period.",
        bad: "CMD uvicorn app.main:app --port 8000",
        fix: "`CMD [\"uvicorn\", \"app.main:app\", \"--port\", \"8000\"]` (or `exec` in a wrapper script).",
        triggers: &["hadolint", "dockerfile hygiene", "exec form", "json form"],
        mirrors: &[Mirror {
            peer: "hadolint DL3025",
            rules: &[],
        }],
        strictness: &[],
        related: &[],
    },
    Gate {
        code: "G143",
        name: "dockerfile-copy-not-add",
        check: artifacts::dockerfile::instructions::copy_not_add,
        scope: Scope::Dockerfile,
        severity: Severity::Warning,
        summary: "ADD is used only for what COPY cannot do: a local archive to unpack, or a remote file with --checksum.",
        why: "ADD fetches URLs and unpacks archives implicitly, so `ADD app/ /app/` may do more than copy, and a remote ADD without `--checksum` downloads whatever the server returns today. COPY says exactly what happens.",
        bad: "ADD app.py /app/\nADD https://example.com/tool.tar.gz /opt/",
        fix: "`COPY app.py /app/`; `ADD --checksum=sha256:… https://example.com/tool.tar.gz /opt/` for a verified download.",
        triggers: &["hadolint", "dockerfile hygiene", "instead of add", "copy instead"],
        mirrors: &[Mirror {
            peer: "hadolint DL3020",
            rules: &["add-local-file"],
        }],
        strictness: &[Strictness {
            peer: "checkov CKV_DOCKER_4",
            rules: &["add-local-file", "add-url-without-checksum"],
            relation: Relation::Lenient,
            how: "ADD of a remote archive with --checksum and of a local archive to unpack passes; checkov refuses every ADD",
        }],
        related: &[],
    },
    Gate {
        code: "G144",
        name: "dockerfile-absolute-workdir",
        check: artifacts::dockerfile::instructions::absolute_workdir,
        scope: Scope::Dockerfile,
        severity: Severity::Warning,
        summary: "Every WORKDIR is an absolute path (or starts with a variable).",
        why: "A relative WORKDIR is resolved against the previous working directory, which the base image decides: the same Dockerfile puts files in a different place when the base image changes.",
        bad: "WORKDIR app",
        fix: "`WORKDIR /app`.",
        triggers: &["hadolint", "dockerfile hygiene", "workdir"],
        mirrors: &[
            Mirror {
                peer: "hadolint DL3000",
                rules: &[],
            },
            Mirror {
                peer: "checkov CKV_DOCKER_10",
                rules: &[],
            },
        ],
        strictness: &[],
        related: &[],
    },
    Gate {
        code: "G145",
        name: "dockerfile-pipefail",
        check: artifacts::dockerfile::instructions::pipefail,
        scope: Scope::Dockerfile,
        severity: Severity::Warning,
        summary: "A RUN that pipes one command into another runs under `set -o pipefail` (in the RUN or a SHELL instruction of its stage).",
        why: "A shell pipeline's status is that of its last command: `curl -fsSL https://… | sh` succeeds when curl fails, so the build goes on with nothing installed and the image breaks at run time instead of at build time.",
        bad: "RUN curl -fsSL https://example.com/install.sh | sh",
        fix: "`SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before the RUN (`/bin/ash` on Alpine; Debian's `/bin/sh` is dash, which has no pipefail), or `RUN set -o pipefail && curl … | sh` under bash.",
        triggers: &["hadolint", "dockerfile hygiene", "pipefail"],
        mirrors: &[Mirror {
            peer: "hadolint DL4006",
            rules: &[],
        }],
        strictness: &[],
        related: &[],
    },
    Gate {
        code: "G146",
        name: "dockerfile-pinned-packages",
        check: artifacts::dockerfile::packages::pinned_packages,
        scope: Scope::Dockerfile,
        severity: Severity::Warning,
        summary: "apt-get/apt, apk and pip installs name the version of every package.",
        why: "An unpinned install takes whatever the mirror holds on the day of the build: two builds of the same commit differ, a rebuild can pull a breaking or compromised release, and nobody can tell which version an image contains.",
        bad: "RUN apt-get install -y curl\nRUN pip install requests",
        fix: "`apt-get install -y curl=8.5.0-2`, `apk add curl=8.14.1-r2`, `pip install requests==2.32.3` (or a locked requirements file).",
        triggers: &["hadolint", "dockerfile hygiene", "pinned package", "package versions"],
        mirrors: &[
            Mirror {
                peer: "hadolint DL3008",
                rules: &["apt-unpinned"],
            },
            Mirror {
                peer: "hadolint DL3018",
                rules: &["apk-unpinned"],
            },
            Mirror {
                peer: "hadolint DL3013",
                rules: &["pip-unpinned"],
            },
        ],
        strictness: &[],
        related: &[],
    },
    Gate {
        code: "G147",
        name: "dockerfile-no-sudo",
        check: artifacts::dockerfile::packages::no_sudo,
        scope: Scope::Dockerfile,
        severity: Severity::Warning,
        summary: "No RUN uses sudo.",
        why: "RUN already executes as the current USER; sudo in an image means a sudoers setup that lets the runtime user become root again, which undoes the USER line, and its TTY and environment handling breaks builds unpredictably.",
        bad: "USER app\nRUN sudo apt-get update",
        fix: "Run the step before switching `USER`, or switch `USER root` for it and back.",
        triggers: &["hadolint", "dockerfile hygiene", "sudo"],
        mirrors: &[
            Mirror {
                peer: "hadolint DL3004",
                rules: &[],
            },
            Mirror {
                peer: "checkov CKV2_DOCKER_1",
                rules: &[],
            },
        ],
        strictness: &[],
        related: &[],
    },
    Gate {
        code: "G148",
        name: "dockerfile-tls-verification",
        check: artifacts::dockerfile::packages::tls_verification,
        scope: Scope::Dockerfile,
        severity: Severity::Error,
        summary: "Nothing turns TLS certificate verification off: no curl -k, wget --no-check-certificate, pip --trusted-host, npm strict-ssl false, git sslVerify false, yum/dnf sslverify=false, and no NODE_TLS_REJECT_UNAUTHORIZED=0, PYTHONHTTPSVERIFY=0, GIT_SSL_NO_VERIFY, NPM_CONFIG_STRICT_SSL=false or PIP_TRUSTED_HOST in ENV, ARG or inline in a RUN.",
        why: "Without certificate verification any machine between the builder and the server can substitute what is downloaded: installers, packages and source code. A variable set in ENV or ARG keeps verification off for every later step (and, for ENV, in the running container); one set inline in a RUN does so for that command.",
        bad: "RUN NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci\nRUN curl -k https://example.com/install.sh -o /tmp/install.sh",
        fix: "Fix the trust store instead: `COPY corp-ca.crt /usr/local/share/ca-certificates/` and `RUN update-ca-certificates` (or `NODE_EXTRA_CA_CERTS`, `PIP_CERT`, `npm config set cafile`).",
        triggers: &[
            "hadolint",
            "dockerfile hygiene",
            "tls verification",
            "ssl verification",
            "certificate verification",
            "certificate validation",
        ],
        mirrors: &[
            Mirror {
                peer: "checkov CKV2_DOCKER_2",
                rules: &["curl-insecure"],
            },
            Mirror {
                peer: "checkov CKV2_DOCKER_3",
                rules: &["wget-no-check-certificate"],
            },
            Mirror {
                peer: "checkov CKV2_DOCKER_4",
                rules: &["pip-trusted-host"],
            },
            Mirror {
                peer: "checkov CKV2_DOCKER_5",
                rules: &["python-https-verify-off"],
            },
            Mirror {
                peer: "checkov CKV2_DOCKER_6",
                rules: &["node-tls-reject-unauthorized"],
            },
            Mirror {
                peer: "checkov CKV2_DOCKER_12",
                rules: &["npm-strict-ssl-off"],
            },
            Mirror {
                peer: "checkov CKV2_DOCKER_13",
                rules: &["npm-strict-ssl-off"],
            },
            Mirror {
                peer: "checkov CKV2_DOCKER_14",
                rules: &["git-ssl-no-verify"],
            },
            Mirror {
                peer: "checkov CKV2_DOCKER_15",
                rules: &["yum-sslverify-off"],
            },
            Mirror {
                peer: "checkov CKV2_DOCKER_16",
                rules: &["pip-trusted-host"],
            },
        ],
        strictness: &[],
        related: &[],
    },
    Gate {
        code: "G149",
        name: "dockerfile-package-signatures",
        check: artifacts::dockerfile::packages::package_signatures,
        scope: Scope::Dockerfile,
        severity: Severity::Error,
        summary: "Package managers verify signatures: no yum/dnf/tdnf --nogpgcheck (or gpgcheck=0), rpm --nodigest/--nosignature/--noverify, apt-get --allow-unauthenticated or --force-yes, apk --allow-untrusted.",
        why: "Package signatures are what proves a package comes from the distribution and was not altered on a mirror or in transit. Turning the check off installs whatever the repository or a network attacker serves, as root, into the image.",
        bad: "RUN dnf install -y --nogpgcheck tool\nRUN rpm -i --nodigest tool.rpm",
        fix: "Import the repository's key (`rpm --import`, `apt-key`/signed-by, `apk` keys) and install with verification on.",
        triggers: &[
            "hadolint",
            "dockerfile hygiene",
            "gpg",
            "package signature",
            "untrusted packages",
        ],
        mirrors: &[
            Mirror {
                peer: "checkov CKV2_DOCKER_7",
                rules: &["apk-allow-untrusted"],
            },
            Mirror {
                peer: "checkov CKV2_DOCKER_8",
                rules: &["apt-allow-unauthenticated"],
            },
            Mirror {
                peer: "checkov CKV2_DOCKER_9",
                rules: &["yum-nogpgcheck"],
            },
            Mirror {
                peer: "checkov CKV2_DOCKER_10",
                rules: &["rpm-no-verify"],
            },
            Mirror {
                peer: "checkov CKV2_DOCKER_11",
                rules: &["apt-force-yes"],
            },
        ],
        strictness: &[],
        related: &[],
    },
];

/// Every gate's trigger phrases in one automaton, built on first use: a rule or a matrix row
/// is matched against all of them in one pass over its text, instead of one substring search
/// per phrase (several thousand searches per feature). Each pattern maps back to its gate's
/// index in [`GATES`] and its trigger's index in the gate's list.
static TRIGGERS: std::sync::LazyLock<(aho_corasick::AhoCorasick, Vec<(usize, usize)>)> =
    std::sync::LazyLock::new(|| {
        let owners: Vec<(usize, usize)> = GATES
            .iter()
            .enumerate()
            .flat_map(|(g, gate)| (0..gate.triggers.len()).map(move |t| (g, t)))
            .collect();
        let phrases = GATES.iter().flat_map(|g| g.triggers.iter());
        let automaton = aho_corasick::AhoCorasick::new(phrases).expect("fixed literal phrases build");
        (automaton, owners)
    });

/// For each gate of [`GATES`], in order, the first of its trigger phrases (in the gate's own
/// order) that `lower` contains, as `str::contains` would find it.
pub fn triggered(lower: &str) -> Vec<Option<&'static str>> {
    let (automaton, owners) = &*TRIGGERS;
    let mut first: Vec<Option<usize>> = vec![None; GATES.len()];
    for m in automaton.find_overlapping_iter(lower) {
        let (g, t) = owners[m.pattern().as_usize()];
        if first[g].is_none_or(|f| t < f) {
            first[g] = Some(t);
        }
    }
    first.iter().zip(GATES).map(|(t, g)| t.map(|t| g.triggers[t])).collect()
}

/// The index of `gate` in [`GATES`].
pub fn index_of(gate: &Gate) -> usize {
    GATES
        .iter()
        .position(|g| std::ptr::eq(g, gate))
        .expect("every gate is an entry of GATES")
}

/// A gate by code (`g101`, case-insensitive) or name (`run-as-non-root`).
pub fn find(query: &str) -> Option<&'static Gate> {
    let q = query.trim();
    GATES
        .iter()
        .find(|g| g.code.eq_ignore_ascii_case(q) || g.name.eq_ignore_ascii_case(q))
}

/// A retired gate by code or name.
pub fn retired(query: &str) -> Option<&'static Retired> {
    let q = query.trim();
    RETIRED
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(q) || r.name.eq_ignore_ascii_case(q))
}

/// The gates a name stands for: the gate itself, or every gate a retired one was split
/// into (so a constitution that names `dockerfile-hygiene` keeps binding).
pub fn expand(query: &str) -> Vec<&'static Gate> {
    match (find(query), retired(query)) {
        (Some(g), _) => vec![g],
        (None, Some(r)) => r.replaced_by.iter().filter_map(|n| find(n)).collect(),
        (None, None) => Vec::new(),
    }
}

/// Run every gate of the catalog over the artifacts; one result per gate, in catalog order.
pub fn evaluate(artifacts: &Artifacts, env: Environment) -> Vec<GateResult> {
    evaluate_only(artifacts, env, |_| true)
}

/// Run the gates `keep` selects; one result per selected gate, in catalog order. A compile
/// judges production with the few gates whose verdict is about production only: running all
/// of them twice was an eighth of a feature's compile.
pub fn evaluate_only(artifacts: &Artifacts, env: Environment, keep: impl Fn(&Gate) -> bool) -> Vec<GateResult> {
    artifacts::with_input(artifacts, env, |input| {
        GATES
            .iter()
            .filter(|g| keep(g))
            .map(|g| artifacts::run(g.code, g.scope, g.check, input))
            .collect()
    })
}

impl Gate {
    /// The one way a finding of this gate becomes a diagnostic (SP701): the gate's code and
    /// name, the finding's place and what was found, the gate's fix and `sp explain` in the hint.
    pub fn diagnostic(&self, finding: &Finding, framing: Framing, severity: Severity) -> Diagnostic {
        let gate = self;
        let explain = format!("`sp explain {}` explains the gate", gate.code);
        let (message, hint) = match &framing {
            Framing::Principle {
                label,
                title,
                strength,
                rule,
                non_negotiable,
            } => (
                format!(
                    "{} {} fails principle {label}. {title} ({strength}): {}",
                    gate.code, gate.name, finding.message
                ),
                format!(
                    "{} Rule: \"{rule}\". Fix the input that produced this, or justify it in a Complexity Tracking row naming {}{}; {explain}",
                    gate.fix,
                    gate.code,
                    if *non_negotiable {
                        " (not possible: the principle is NON-NEGOTIABLE)"
                    } else {
                        ""
                    },
                ),
            ),
            Framing::SecureDefault => (
                format!("{} {} (secure default): {}", gate.code, gate.name, finding.message),
                format!("{} {explain}", gate.fix),
            ),
            Framing::Artifacts => (
                format!(
                    "{} {} ({}): {}: {}",
                    gate.code, gate.name, finding.rule, finding.object, finding.message
                ),
                format!("{} {explain}", gate.fix),
            ),
        };
        let d = Diagnostic::new(Code::GateFailed, message)
            .severity(severity)
            .rule(gate.code)
            .at_line(&finding.file, finding.line, finding.column.max(1))
            .label(format!("found {}", finding.found))
            .hint(hint);
        match framing {
            // A folder of artifacts has no plan to read: the finding's parts go along as
            // properties (SARIF, JSON) for tools that group or filter them.
            Framing::Artifacts => d
                .property("gate", gate.code)
                .property("gateName", gate.name)
                .property("rule", finding.rule)
                .property("kind", finding.subject.kind.as_str())
                .property("namespace", finding.subject.namespace.clone().unwrap_or_default())
                .property("name", finding.subject.name.as_str())
                .property("part", finding.subject.part.clone().unwrap_or_default()),
            _ => d,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One pass of the automaton finds what a substring search per phrase finds: every
    /// phrase alone, and all of them in one text (the first of a gate's phrases wins).
    #[test]
    fn triggered_is_contains_per_phrase() {
        let by_contains = |lower: &str| -> Vec<Option<&'static str>> {
            GATES
                .iter()
                .map(|g| g.triggers.iter().find(|t| lower.contains(*t)).copied())
                .collect()
        };
        let all: String = GATES
            .iter()
            .rev()
            .flat_map(|g| g.triggers.iter().rev())
            .fold(String::new(), |s, t| s + t + " ");
        let mut texts = vec![all, String::new(), "nothing to see here".to_string()];
        texts.extend(
            GATES
                .iter()
                .flat_map(|g| g.triggers.iter().map(|t| format!("the pods {t}s always"))),
        );
        for text in &texts {
            assert_eq!(triggered(text), by_contains(text), "{text}");
        }
        for (i, g) in GATES.iter().enumerate() {
            assert_eq!(index_of(g), i);
        }
    }

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        // Codes follow catalog order; a retired code leaves its gap and is never reused.
        let mut codes: Vec<&str> = GATES
            .iter()
            .map(|g| g.code)
            .chain(RETIRED.iter().map(|r| r.code))
            .collect();
        codes.sort();
        for (i, c) in codes.iter().enumerate() {
            assert_eq!(*c, format!("G{}", 101 + i), "no code is missing or used twice");
        }
        for pair in GATES.windows(2) {
            assert!(pair[0].code < pair[1].code, "catalog order is code order");
        }
        for r in RETIRED {
            assert!(
                find(r.code).is_none() && find(r.name).is_none(),
                "{} is retired",
                r.code
            );
            assert_eq!(
                expand(r.name).len(),
                r.replaced_by.len(),
                "{} splits into real gates",
                r.code
            );
        }
        for g in GATES.iter() {
            assert!(
                g.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                g.name
            );
            assert!(GATES.iter().filter(|o| o.name == g.name).count() == 1, "{}", g.name);
            for t in g.triggers {
                assert_eq!(*t, t.to_lowercase(), "{}: triggers are lower case", g.code);
            }
            assert!(!g.summary.is_empty() && !g.why.is_empty() && !g.bad.is_empty() && !g.fix.is_empty());
            assert!(!g.triggers.is_empty(), "{}", g.code);
            assert!(
                !(g.mirrors.is_empty() && g.strictness.is_empty() && g.related.is_empty()),
                "{}: say what it compares to",
                g.code
            );
            // A mirror names a tool and a check; a peer is never both a mirror and a difference.
            for m in g.mirrors {
                assert!(m.peer.split_once(' ').is_some(), "{}: {}", g.code, m.peer);
                assert!(!g.strictness.iter().any(|s| s.peer == m.peer), "{}: {}", g.code, m.peer);
            }
        }
    }

    #[test]
    fn find_by_code_or_name() {
        assert_eq!(find("g101").map(|g| g.name), Some("run-as-non-root"));
        assert_eq!(find("run-as-high-uid").map(|g| g.code), Some("G102"));
        assert_eq!(find("G999").map(|g| g.code), None);
        assert_eq!(find("helm-chart-conventions").map(|g| g.scope), Some(Scope::Chart));
    }

    /// The rows of design/gates.md, in order: the codes are stable, so this list only grows.
    #[test]
    fn catalog_order_is_stable() {
        let names: Vec<&str> = GATES.iter().map(|g| g.name).collect();
        assert_eq!(
            names,
            [
                "run-as-non-root",
                "run-as-high-uid",
                "read-only-root-fs",
                "no-privilege-escalation",
                "no-privileged",
                "drop-all-capabilities",
                "seccomp-runtime-default",
                "sa-token-automount-off",
                "dedicated-service-account",
                "resources-requests",
                "resources-memory-limit",
                "resources-cpu-limit",
                "readiness-probe",
                "liveness-probe",
                "probes-distinct",
                "startup-probe-slow-start",
                "probe-ports-exposed",
                "image-tag-pinned",
                "image-pull-policy",
                "replicas-min-2",
                "rolling-update-zero-downtime",
                "pdb-present-and-sane",
                "graceful-shutdown",
                "spread-replicas",
                "no-secrets-in-configmap",
                "no-secret-env-literals",
                "recommended-labels",
                "selector-matches-template",
                "no-namespace-in-templates",
                "dockerfile-multi-stage",
                "dockerfile-non-root-user",
                "dockerfile-healthcheck",
                "dockerignore-present",
                "helm-values-schema",
                "helm-notes-present",
                "helm-tests-present",
                "helm-chart-conventions",
                "image-size-budget-recorded",
                "network-policy-coverage",
                "recommended-labels-complete",
                "dockerfile-exec-form",
                "dockerfile-copy-not-add",
                "dockerfile-absolute-workdir",
                "dockerfile-pipefail",
                "dockerfile-pinned-packages",
                "dockerfile-no-sudo",
                "dockerfile-tls-verification",
                "dockerfile-package-signatures",
            ]
        );
    }
}
