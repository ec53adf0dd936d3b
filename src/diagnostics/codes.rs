//! The registry of diagnostic codes.
//!
//! Codes are stable: tools and CI configurations match on them, so a code is never reused
//! for a different problem. The hundreds digit names the pipeline stage that raises it
//! (1 load, 2 spec, 3 constitution, 4 plan input, 5 render, 6 emit).

use super::Severity;

macro_rules! codes {
    ($( $variant:ident = $code:literal, $name:literal, $sev:ident, $summary:literal; )*) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        pub enum Code { $( $variant, )* }

        impl Code {
            /// Every code, in numeric order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The code as printed, e.g. `SP201`.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $code, )* }
            }

            /// The kebab-case name, e.g. `missing-section`.
            pub fn name(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            /// The severity this code has unless the raising site decides otherwise.
            pub fn default_severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$sev, )* }
            }

            /// One line saying what the code means, for `sp explain` and the docs.
            pub fn summary(self) -> &'static str {
                match self { $( Code::$variant => $summary, )* }
            }
        }
    };
}

codes! {
    UnreadableFile = "SP101", "unreadable-file", Error, "An input file exists but could not be read.";
    InvalidUtf8 = "SP102", "invalid-utf8", Error, "An input file is not valid UTF-8 text.";
    MissingConstitution = "SP103", "missing-constitution", Error, "No constitution.md at the workspace root, in .specify/memory/ or in memory/.";
    FeatureNotFound = "SP104", "feature-not-found", Error, "The feature named on the command line does not exist under specs/.";
    MissingSpec = "SP105", "missing-spec", Error, "A feature folder has no spec.md.";
    AdoptedPlan = "SP106", "adopted-plan", Info, "A feature without plan-input.md has an existing plan.md whose Technical Context is used as the plan input.";
    AmbiguousFeature = "SP107", "ambiguous-feature", Error, "The feature named on the command line matches several feature folders.";
    NotAFeatureFolder = "SP108", "not-a-feature-folder", Info, "A folder under specs/ has no spec.md and is not numbered like a spec-kit feature (`NNN-slug`): it holds reference pages and is not compiled. A folder that groups features one level down (`specs/phase-4/001-containerization/`) is not reported: its features are compiled under their folder names.";
    ShadowedFeature = "SP109", "shadowed-feature", Warning, "A feature folder grouped one level down (`specs/phase-4/001-setup/`) has the name of another feature (one directly under specs/, or in a group earlier in name order); features are named by their folders, so it is not compiled.";
    SecretInInput = "SP110", "secret-in-input", Error, "A credential (a URL password, a value of a secret-named variable, a token or a private key) is written in an input; it is redacted everywhere and the run fails (a warning for a JSON example in a code block of the spec or constitution, without a credential's shape).";
    NulByte = "SP111", "nul-byte", Error, "An input file contains NUL bytes, so it is not a text document.";
    OutsideWorkspace = "SP112", "outside-workspace", Error, "An input file is a symbolic link to a place outside the workspace; it is not read.";
    MissingSection = "SP201", "missing-section", Error, "A section that spec-kit marks mandatory is missing from spec.md (a warning when the spec has another of the three to plan from).";
    DuplicateId = "SP202", "duplicate-id", Error, "Two requirements, success criteria or stories share an identifier.";
    NonSequentialId = "SP203", "non-sequential-id", Warning, "Identifiers of one kind skip a number or go backwards.";
    StoryWithoutPriority = "SP204", "story-without-priority", Warning, "A user story heading has no (Priority: Pn).";
    StoryWithoutScenarios = "SP205", "story-without-scenarios", Warning, "A user story has no acceptance scenarios.";
    NeedsClarification = "SP206", "needs-clarification", Error, "A [NEEDS CLARIFICATION: …] marker is still unresolved.";
    MissingHeaderField = "SP207", "missing-header-field", Warning, "The spec has no title or lacks a header field (Feature Branch, Created, Status).";
    UnusedSection = "SP208", "unused-section", Info, "A section the compiler does not use; it is kept but appears in no generated document.";
    MalformedScenario = "SP209", "malformed-scenario", Warning, "An acceptance scenario is not written as Given / When / Then.";
    MalformedRequirement = "SP210", "malformed-requirement", Warning, "A requirement or success criterion bullet has no identifier or no text (bullets of a section where none has one are numbered in the order written).";
    MalformedClarification = "SP211", "malformed-clarification", Warning, "A bullet in Clarifications is not of the form `- Q: … → A: …`.";
    UnverifiedSuccessCriterion = "SP212", "unverified-success-criterion", Warning, "No stage, gate or quickstart step of the plan shows a success criterion met.";
    NoPrinciples = "SP301", "no-principles", Warning, "The constitution declares no principles, so the Constitution Check is empty.";
    PrincipleWithoutRules = "SP302", "principle-without-rules", Info, "A principle states no MUST / SHOULD / MAY rule; its whole text is one rule for manual review.";
    MissingVersion = "SP303", "missing-version", Warning, "The constitution has no Version line.";
    TemplatePlaceholder = "SP304", "template-placeholder", Warning, "A spec-kit template placeholder such as [PROJECT_NAME] was never filled in.";
    UnknownKey = "SP401", "unknown-key", Warning, "A `Key: value` line in the plan input names no known Technical Context key.";
    ConflictingValue = "SP402", "conflicting-value", Warning, "Two inputs give different values for the same key; the one with higher precedence wins.";
    MissingContext = "SP403", "missing-context", Warning, "No input gives a value for a Technical Context key; the plan says NEEDS CLARIFICATION.";
    MissingPlanInput = "SP404", "missing-plan-input", Warning, "The feature has neither plan-input.md nor a plan.md to adopt.";
    MalformedDecision = "SP405", "malformed-decision", Warning, "An architecture decision in the plan input has a title but no decision text.";
    InvalidDeployInput = "SP406", "invalid-deploy-input", Error, "The plan input's fenced YAML block or a --set assignment does not fit the deployment schema.";
    UnknownStack = "SP407", "unknown-stack", Warning, "A component names no stack the catalog knows, so nothing is built or deployed for it.";
    UnsupportedVersion = "SP408", "unsupported-version", Warning, "A component asks for a language version the catalog has no pinned image for; the catalog's nearest version not older than it is used (else its newest).";
    NoDeployables = "SP409", "no-deployables", Warning, "A feature about deployment (its spec or plan input talks about containers, Kubernetes, Helm or Docker) names no component, and none was found in the repository's folders.";
    UnusedDeploymentFact = "SP410", "unused-deployment-fact", Warning, "A plan-input line or a spec requirement states a deployment fact (namespace, replicas, port, host, service type, storage, resources, image pull policy) that the deployment model does not use.";
    UndeployedServices = "SP411", "undeployed-services", Warning, "The spec or plan input enumerates more services than the deployment model deploys.";
    NotADeploymentFeature = "SP412", "not-a-deployment-feature", Info, "The feature is not about deployment (nothing in its spec, plan input or constitution says so) although its inputs name components: they are planned, not built.";
    ScaleDisagrees = "SP413", "scale-disagrees", Warning, "Scale/Scope names more services or components than the deployment deploys.";
    SourceFolderUnknown = "SP414", "source-folder-unknown", Warning, "sp cannot tell which folder holds a component's source: several folders one level inside others are named like it (`phase3/backend`, `phase4/backend`) and neither the feature's inputs (naming one parent as a path) nor the folder names (one parent named after the feature) settle which, the `sourceDir` an input gives holds no project, or none is named like the component while the deployment's other components found theirs. It reads no source for the component, so its entry point, port and variables are the catalog's defaults; a component only the constitution's technology stack names is then not deployed.";
    FolderNotDeployed = "SP415", "folder-not-deployed", Warning, "Discovery took some of the repository's folders as the components and left another project out: a folder whose manifest names no stack the catalog builds or is of a language sp does not build, a project with a framework in a folder discovery does not look in, a second folder with a component's name, or the root project beside component folders.";
    ComposeServiceNotDeployed = "SP416", "compose-service-not-deployed", Warning, "The repository's compose file runs services from images (a database, a cache, a broker) that the deployment does not include: no input says the application needs them in the cluster. Or it builds a service no component is: a worker built from the API's folder with a command of its own.";
    MissingVariable = "SP420", "missing-variable", Warning, "The source reads an environment variable without a default, and no input gives it a value: the process fails or misbehaves at start.";
    LocalhostInCluster = "SP421", "localhost-in-cluster", Warning, "A configuration value or a proxy destination (a Next.js rewrite) points at localhost, which inside a pod is the pod itself, and sp cannot rewrite it to a Service of the deployment.";
    ProseContradictsSource = "SP422", "prose-contradicts-source", Warning, "A statement in prose (a port, an entry point) contradicts what the component's source says; the source wins.";
    NoEntryPoint = "SP423", "no-entry-point", Warning, "Nothing in a component's source says what starts it (no application object, start script or team Dockerfile), so the catalog's default command is a guess.";
    NoHealthRoute = "SP424", "no-health-route", Warning, "A component's source declares no health route, so its probes check that the port accepts connections (tcpSocket) instead of asking an HTTP path the code does not serve.";
    BrowserCallsLocalhost = "SP425", "browser-calls-localhost", Info, "A server-rendered frontend's build argument points the browser at localhost, on another component's port: it works while a port-forward to that Service runs on the user's machine.";
    BrowserCallsNothing = "SP426", "browser-calls-nothing", Warning, "A server-rendered frontend's build argument points the browser at a localhost port that no component of the deployment listens on, so every browser call to it fails.";
    InvalidValue = "SP430", "invalid-value", Error, "A value of the deployment input does not fit where it goes: a Kubernetes name, an image reference or tag, a path, a port, a quantity, a resource request above its limit.";
    NormalizedName = "SP431", "normalized-name", Info, "A name written for people (`Bad_Name`, `My App`) was turned into the form Kubernetes and Helm accept (`bad-name`, `my-app`).";
    UnlockedInstall = "SP432", "unlocked-install", Warning, "A component folder has no lock file for its package manager (for pip, a requirements.txt that pins every dependency with `==`), so its image installs whatever versions resolve when it is built.";
    StaleLockfile = "SP433", "stale-lockfile", Warning, "A lock file is out of date with its manifest, so the locked install in the Dockerfile (`npm ci`, `uv sync --locked`) will fail; or its manager would install nothing (uv.lock beside a pyproject.toml without `[project]`) or less than the team's image installs (its Dockerfile installs a requirements.txt that lists what pyproject.toml lacks), so it is not used.";
    InvalidTsconfig = "SP434", "invalid-tsconfig", Warning, "A TypeScript component's tsconfig.json does not parse (comments and trailing commas are allowed), or extends a base sp does not read, so sp cannot tell where tsc writes the compiled server.";
    StackNeedsSetting = "SP435", "stack-needs-setting", Warning, "A component's stack needs something its source does not have (`output: \"standalone\"` in next.config for a standalone server set by hand; the `typescript` package for `next start` to read next.config.ts), so the image build or the container's start fails until it is added.";
    DevProxyNotRouted = "SP436", "dev-proxy-not-routed", Warning, "A static site's dev-server proxy (Vite's `server.proxy`) forwards a path that the site's nginx cannot forward the same way: its target is outside the cluster or not a literal, its path is not an nginx location, or its rewrite is one sp does not follow; or an entry whose path the object writes again, so JavaScript drops it.";
    InstallScript = "SP437", "install-script", Warning, "A Node project's package.json runs a script of its own when its dependencies are installed (`prepare`, `postinstall`…), and the image installs them from package.json and the lock file alone, the production install without development dependencies: the script fails there unless it needs neither.";
    ImageNotDeployed = "SP438", "image-not-deployed", Warning, "A folder of the repository holds a `Dockerfile` and no component of the deployment builds from it: an image the team builds is left out of the cluster.";
    CommandNotInstalled = "SP439", "command-not-installed", Warning, "A Python component's start command runs a program (`uvicorn`, `gunicorn`, `celery`…) that the requirements file its image installs does not list, so the container stops at start.";
    ComposeValueNotCopied = "SP440", "compose-value-not-copied", Info, "The compose service that builds a component gives a variable a value that addresses another compose service by its compose name (`redis://redis-cache:6379/0`); the cluster's Services have other names, so the value is not copied into the deployment.";
    ImportedFolderMissing = "SP441", "imported-folder-missing", Warning, "A Node component's source imports, through a path alias of its tsconfig.json (`@/lib/utils`), a folder that is not in the repository (often left out of git by a `.gitignore` rule such as Python's `lib/`), so the image's build stops on `Module not found`.";
    ImportOutsideContext = "SP442", "import-outside-context", Warning, "A Node component's source imports, through a path alias of its tsconfig.json (`\"@site/*\": [\"../site/*\"]`), a folder outside the component folder, which the image's build context does not include, so the image's build stops on `Module not found`.";
    TemplateError = "SP501", "template-error", Error, "A document template (a workspace override or the built-in one) failed to parse or render.";
    HandlebarsTemplate = "SP502", "handlebars-template", Error, "A workspace template override is a handlebars file (`templates/plan.md.hbs`); sp's templates are Jinja (`templates/plan.md.jinja`) and it would otherwise render the document without the override.";
    OutputEscapes = "SP601", "output-escapes", Error, "A generated path would land outside the output folder.";
    EditConflict = "SP610", "edit-conflict", Error, "A generated file was edited by hand where sp now generates something else (or sp never wrote it): the feature is left as it was.";
    StaleFeatureOutput = "SP611", "stale-feature-output", Warning, "The output folder holds what sp generated for a feature the workspace no longer has (removed or renamed); `sp plan --all --check` fails until the folder is deleted.";
    GateFailed = "SP701", "gate-failed", Error, "A built-in gate failed on a generated artifact; the constitution rule it enforces (or the secure-by-default policy) is violated.";
    WaiverRefused = "SP702", "waiver-refused", Error, "A Complexity Tracking row tries to justify a violation of a NON-NEGOTIABLE principle.";
    UnusedWaiver = "SP703", "unused-waiver", Warning, "A Complexity Tracking row names no gate or principle that failed.";
    UnknownGate = "SP704", "unknown-gate", Warning, "A principle's Gates line names a gate the catalog does not have.";
    NotChecked = "SP705", "not-checked", Info, "`sp check --artifacts` read a file, document or object that no gate examined (an unknown kind, a templated file, a parse failure); the reason says why.";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Code {
    /// Look a code up by its number (`SP201`, case-insensitive) or its name.
    pub fn find(query: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(query) || c.name() == query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_ordered() {
        let mut seen = std::collections::BTreeSet::new();
        for pair in Code::ALL.windows(2) {
            assert!(pair[0].as_str() < pair[1].as_str(), "{} !< {}", pair[0], pair[1]);
        }
        for c in Code::ALL {
            assert!(seen.insert(c.name()), "duplicate name {}", c.name());
            assert_eq!(Code::find(c.as_str()), Some(*c));
            assert_eq!(Code::find(c.name()), Some(*c));
        }
    }
}
