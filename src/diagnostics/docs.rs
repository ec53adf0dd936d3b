//! The long form of every diagnostic code, for `sp explain SP201`: why it matters, an
//! input that triggers it, and the fix, as the gates document themselves.
//!
//! The match has no catch-all arm, so a new code does not compile until it is documented.

use super::Code;

/// What `sp explain` prints under the summary of a code.
pub struct CodeDocs {
    pub why: &'static str,
    /// An input that triggers the code.
    pub example: &'static str,
    pub fix: &'static str,
}

const fn d(why: &'static str, example: &'static str, fix: &'static str) -> CodeDocs {
    CodeDocs { why, example, fix }
}

pub fn docs(code: Code) -> CodeDocs {
    match code {
        Code::UnreadableFile => d(
            "sp reads every input before it compiles anything; a file it cannot open would silently drop requirements, principles or plan input from the documents.",
            "chmod 000 specs/006-k8s-deployment/spec.md\nsp plan 006",
            "Give the file read permission, or remove it if it is not meant to be there (a folder named spec.md also triggers this).",
        ),
        Code::InvalidUtf8 => d(
            "spec-kit documents are Markdown text in UTF-8; a file in another encoding would be misread character by character.",
            "iconv -f UTF-8 -t UTF-16 spec.md > spec16.md && mv spec16.md spec.md\nsp plan",
            "Save the file as UTF-8 (most editors: File > Save with Encoding > UTF-8). The message gives the byte and the line where the first invalid byte is.",
        ),
        Code::MissingConstitution => d(
            "The constitution gives the Constitution Check of plan.md and binds the gates to principles; without it every gate runs only as the secure-by-default policy and the plan says so.",
            "a workspace with specs/ but no constitution.md, .specify/memory/constitution.md or memory/constitution.md",
            "Create the constitution with spec-kit's /constitution command, or copy one to constitution.md at the workspace root.",
        ),
        Code::FeatureNotFound => d(
            "sp compiles features, the folders under specs/; a name that matches none (or a workspace without any) leaves nothing to compile or check, which must not pass silently in CI.",
            "sp plan 999        # no specs/999-*/ folder\nsp plan --all --check   # in a workspace whose specs/ is empty",
            "Name a feature by its folder (specs/006-k8s-deployment), its number (006) or its slug (k8s-deployment); `ls specs/` lists them. Create a feature with spec-kit's /specify.",
        ),
        Code::MissingSpec => d(
            "spec.md is the input every planning document is derived from; a feature folder without one cannot be planned.",
            "mkdir specs/008-empty && sp plan --all",
            "Write the spec with spec-kit's /specify command, or remove the empty folder.",
        ),
        Code::NotAFeatureFolder => d(
            "spec-kit numbers its feature folders (`specs/001-todo-web/`), and teams keep reference pages beside them (`specs/api/chat-endpoint.md`, `specs/ui/`). A folder that is not numbered and has no spec.md is such a page set: compiling it would only fail on the missing spec, so `sp plan --all` lists it and goes on. A numbered folder without spec.md is still SP105, a feature being started. A folder that groups features one level down (`specs/phase-4/001-containerization/spec.md`) is not reported: its features are compiled, each under its own folder name.",
            "specs/api/ holding chat-endpoint.md and mcp-tools.md",
            "Nothing to do for reference pages; to make the folder a feature, write its spec.md with spec-kit's /specify command (a number in its name is customary).",
        ),
        Code::ShadowedFeature => d(
            "Teams that work in phases group features one level down (`specs/phase-3/001-chatbot/`, `specs/phase-4/001-containerization/`); sp compiles them like the features directly under specs/, each named by its folder, which is also its output folder (`out/001-containerization/`), its git branch and what `sp plan 001-containerization` selects. Two folders of one name would write the same output, so the one directly under specs/ (else the one in the group first in name order) is compiled and the other is reported.",
            "specs/phase-2/001-setup/ and specs/phase-3/001-setup/, both with a spec.md",
            "Rename one of the folders (`git mv specs/phase-3/001-setup specs/phase-3/002-setup`); spec-kit's numbering gives every feature its own number.",
        ),
        Code::AdoptedPlan => d(
            "A feature planned by an agent has a plan.md but no plan-input.md; its Technical Context is adopted so the feature compiles without retyping it. sp never overwrites that plan.md: its own goes to out/.",
            "specs/004-x/plan.md with a `## Technical Context` section and no specs/004-x/plan-input.md",
            "Nothing is wrong. To take over, write plan-input.md (or run `sp plan 004 \"…\"`); from then on it is the input.",
        ),
        Code::AmbiguousFeature => d(
            "A number or slug that matches several feature folders could compile the wrong one.",
            "specs/004-k8s-deployment and specs/006-k8s-deployment, then `sp plan k8s-deployment`",
            "Name the feature by its folder or its number (`sp plan 006`), or compile them all with --all.",
        ),
        Code::SecretInInput => d(
            "Whatever is in an input is copied into plan.md, research.md, diagnostics and CI logs, and committed to git. A credential there is leaked the moment it is pushed. sp replaces it with [REDACTED] before anything reads it and fails the run. A secret-named value of a JSON example in a code block of the spec or constitution (`\"password\": \"securepassword123\"` in an API's documented request body) is an example: redacted the same, reported as a warning, unless it has a credential's shape (a token, a URL password, a key).",
            "- Testing: pytest against postgres://admin:hunter2@prod/app\nOPENAI_API_KEY=sk-proj-…   (a real key, an AWS AKIA… key, a ghp_… token, a JWT, a PEM private key block)\nsp plan --set components.api.config.API_TOKEN=abc123",
            "Remove the value and rotate the credential (it may already be in git history). Name the variable instead (`secrets: [DATABASE_URL]` in the YAML block) and create the Kubernetes Secret from your shell, as quickstart.md shows. Placeholders ($VAR, <token>, ${…}, changeme, user:pass, a value cut short with ...) and code in a sample (`api_key=os.getenv(\"KEY\")`, `token = credentials.credentials`) are not reported; a literal default in `os.getenv(\"JWT_SECRET\", \"…\")` or `process.env.JWT_SECRET || \"…\"` is.",
        ),
        Code::NulByte => d(
            "A NUL byte means the file is binary, or text damaged by a bad conversion; it would be copied into the documents, where it breaks Markdown renderers and diffs.",
            "printf 'x\\0y' >> specs/006-k8s-deployment/spec.md && sp plan 006",
            "Remove the NUL bytes (`tr -d '\\000' < spec.md > spec.tmp && mv spec.tmp spec.md`) or restore the file from git.",
        ),
        Code::OutsideWorkspace => d(
            "An input that is a symbolic link to a file outside the workspace would let a checked-out repository read (and print in diagnostics) any file of the machine running sp, such as /etc/passwd or a CI secret.",
            "ln -s /etc/passwd specs/006-k8s-deployment/spec.md && sp plan 006",
            "Copy the file into the workspace instead of linking to it; links that stay inside the workspace are followed.",
        ),
        Code::MissingSection => d(
            "spec-kit marks User Scenarios & Testing, Requirements and Success Criteria mandatory: the plan traces every requirement to a story and every stage to its acceptance test. A spec with at least one of the three is planned from what it has, each missing section a warning (without stories the plan has no implementation stages, and says so); a spec with none of them gives nothing to plan, and the gaps are errors.",
            "a spec.md without a `## Requirements` section",
            "Add the section (spec-kit's spec template shows its layout), or run /specify again.",
        ),
        Code::DuplicateId => d(
            "Requirements, success criteria and stories are referenced by their identifier in the plan, the checklist and reviews; two with one identifier make every reference ambiguous.",
            "- **FR-001**: System MUST export a conversation as Markdown.\n- **FR-001**: System MUST export in PDF.",
            "Give each its own number; the hint names the next free one.",
        ),
        Code::NonSequentialId => d(
            "A gap or a step back in numbering usually means a requirement was deleted or pasted twice; reviewers rely on the numbers to see what changed.",
            "- **FR-001**: …\n- **FR-003**: …   (no FR-002)",
            "Renumber, or keep the gap on purpose (a removed requirement keeps its number retired); it is a warning only.",
        ),
        Code::StoryWithoutPriority => d(
            "The plan orders its stages by story priority (P1 first), so an MVP can ship after the first stage; a story without priority goes last.",
            "### User Story 2 - Export a conversation",
            "Add the priority to the heading: `### User Story 2 - Export a conversation (Priority: P2)`.",
        ),
        Code::StoryWithoutScenarios => d(
            "Each story's acceptance scenarios become the gate of its implementation stage and the steps of quickstart.md; without them the stage has no way to be judged done.",
            "a `### User Story 1 …` section with no numbered **Given** … **When** … **Then** … list",
            "Add at least one scenario: `1. **Given** a saved note, **When** the user deletes it, **Then** it is gone from the list`.",
        ),
        Code::NeedsClarification => d(
            "An open [NEEDS CLARIFICATION: …] marker is a decision nobody made; planning on top of it bakes a guess into the architecture. spec-kit's /sp.plan refuses to plan such a spec, and so does sp.",
            "- **FR-004**: System MUST export in [NEEDS CLARIFICATION: which formats?].",
            "Answer the question in the spec (spec-kit's /clarify records the answer under `## Clarifications`), remove the marker, and run sp plan again.",
        ),
        Code::MissingHeaderField => d(
            "The title and the header fields (Feature Branch, Created, Status) are copied into every document's header; plan.md's date comes from Created.",
            "a spec.md that starts with `# Spec` and has no `**Created**: 2025-01-31` line",
            "Use spec-kit's header: `# Feature Specification: <title>` then `**Feature Branch**`, `**Created**`, `**Status**` lines.",
        ),
        Code::UnusedSection => d(
            "sp keeps every section it does not know, but no generated document shows it; a section meant to shape the plan (a misspelled `## Requirments`) would be silently ignored.",
            "## Requirments\n- **FR-001**: …",
            "Rename the section to one spec-kit defines if it was meant to be one; otherwise nothing needs fixing (it is a note).",
        ),
        Code::MalformedScenario => d(
            "Scenarios become test steps in quickstart.md; one that is not Given / When / Then cannot be split into a precondition, an action and an expected result.",
            "1. The user deletes a note and it disappears.",
            "Write it as `1. **Given** a saved note, **When** the user deletes it, **Then** it disappears from the list`.",
        ),
        Code::MalformedRequirement => d(
            "A requirement without an identifier cannot be traced from the plan's Component Breakdown; one without text says nothing. When no bullet of a Requirements or Success Criteria section has an identifier (a hand-written spec), they are numbered in the order written (FR-001…, NFR-001… under a non-functional heading, SC-001…) with one warning for the section; those numbers move when a bullet is added above.",
            "- System MUST export notes.      (no **FR-NNN**)\n- **FR-007**:                    (no text)",
            "Write `- **FR-007**: System MUST …`, one requirement per bullet.",
        ),
        Code::MalformedClarification => d(
            "Clarifications are decisions with their answers; research.md lists each as Decision / Rationale, which needs both the question and the answer.",
            "- Which export formats? PDF.",
            "Write `- Q: Which export formats? → A: Markdown and PDF` (spec-kit's /clarify writes this form).",
        ),
        Code::UnverifiedSuccessCriterion => d(
            "plan.md's traceability matrix lists, for every success criterion, the stages, gates and quickstart steps that show it met: a stage of the plan input that names it, a gate whose check it describes, or the story whose words it shares. A criterion nothing verifies is a promise no one will check.",
            "- **SC-004**: Operators are satisfied with the rollout.   (no stage names SC-004, no gate checks it, and it shares no words with any user story)",
            "Name the criterion in the plan input's stage that shows it (`- Gate: SC-004 holds after the canary`), or reword it in terms of the user story it measures.",
        ),
        Code::NoPrinciples => d(
            "The Constitution Check of plan.md lists the principles and the gates they bind; a constitution without principles checks nothing, so only the secure-by-default policy applies.",
            "a constitution.md whose only headings are the title and `## Governance`",
            "Declare principles as `### I. Name` sections with MUST / SHOULD / MAY rules (spec-kit's /constitution).",
        ),
        Code::PrincipleWithoutRules => d(
            "Gates bind to rules by their wording (\"MUST run as non-root\"); a principle stated without MUST, SHOULD or MAY binds nothing automatically and is listed for manual review.",
            "### III. Simplicity\nKeep things simple.",
            "State the rule with its strength: `Services MUST NOT add a dependency without a recorded decision.`, or name its gates with a `**Gates**: G101` line.",
        ),
        Code::MissingVersion => d(
            "The constitution's version is recorded in plan.md so a plan can be checked against the constitution it was made under.",
            "a constitution.md without `**Version**: 1.2.0`",
            "Add the governance line spec-kit uses: `**Version**: 1.0.0 | **Ratified**: 2025-01-31 | **Last Amended**: 2025-01-31`.",
        ),
        Code::TemplatePlaceholder => d(
            "A placeholder such as [PROJECT_NAME] means the template was never filled in; it would appear as is in the plan and name the application after it.",
            "# [PROJECT_NAME] Constitution",
            "Run spec-kit's /constitution to fill it in, or replace the placeholder by hand.",
        ),
        Code::UnknownKey => d(
            "Among `Key: value` lines, a key sp does not know is usually a typo of a Technical Context key, which then stays NEEDS CLARIFICATION.",
            "- Langauge/Version: Python 3.13",
            "Use one of the nine Technical Context keys (Language/Version, Primary Dependencies, Storage, Testing, Target Platform, Project Type, Performance Goals, Constraints, Scale/Scope) or a stack role (Frontend, Backend, Worker, Database). Unknown keys are kept in the plan's notes.",
        ),
        Code::ConflictingValue => d(
            "Two inputs disagree about one value; the one with higher precedence wins (--set, then the YAML block, the plan input's prose, the spec, the constitution, the repository, the catalog), and the loser is probably outdated.",
            "plan-input.md says `- Backend: FastAPI, Python 3.12` and its YAML block says `languageVersion: \"3.13\"`",
            "Make the inputs agree, or delete the outdated one. `sp plan --explain` shows where every value came from.",
        ),
        Code::MissingContext => d(
            "Every Technical Context key of plan.md needs a value; one nobody gave is written NEEDS CLARIFICATION, as /sp.plan would. A key still holding the plan template's bracketed placeholder is no value: its examples (`e.g., PostgreSQL`) are not the project's, and deploying a database from them would be a guess.",
            "a plan-input.md with no `Testing:` line, or `**Storage**: [if applicable, e.g., PostgreSQL, CoreData, files or N/A]` left from the template",
            "Add the line to plan-input.md (`- Testing: pytest, kubectl rollout status`), or replace the placeholder with the project's value; the warning names the key.",
        ),
        Code::MissingPlanInput => d(
            "plan-input.md holds what you would type after /sp.plan (stack, platform, constraints); without it every Technical Context key is NEEDS CLARIFICATION and nothing is deployed.",
            "specs/006-k8s-deployment/ with only spec.md",
            "Run `sp plan 006 \"Backend: FastAPI, Python 3.13 …\"` (it saves the text as plan-input.md when there is none) or write the file.",
        ),
        Code::MalformedDecision => d(
            "An architecture decision without its decision text gives research.md a heading with nothing under it.",
            "### AD-1: Message queue\n(no text)",
            "Write the decision under its title, and its rationale and rejected alternatives if there are any.",
        ),
        Code::InvalidDeployInput => d(
            "The fenced YAML block and --set are the typed deployment input; a typo or a wrong type would silently be ignored, so the whole block is refused with the place of the problem. The first ```yaml block of plan-input.md is the deployment block: a later block with its keys (`components:`…) is refused too, and any other later block is a note, since sp reads neither.",
            "```yaml\ncomponents:\n  api:\n    prot: 8080\n```\nsp plan --set components.api.port=8081 --set components.api.port=8000",
            "Fix the key or value at the line shown; `sp schema` prints the schema. Give each --set key once.",
        ),
        Code::UnknownStack => d(
            "Dockerfiles and manifests are generated from the stack catalog; a component whose stack the catalog does not know gets none.",
            "- Backend: Elixir Phoenix",
            "Use a catalog stack (`sp schema` lists them under `stack`), or set `stack:` in the YAML block explicitly.",
        ),
        Code::UnsupportedVersion => d(
            "Base images are pinned per language version; a version the catalog has no image for (an end-of-life Python 3.10) takes the catalog's nearest version not older than it (3.11), else its newest: the fewer releases the code moves, the fewer of its pinned packages lack a build for the image. It may still not be what the code needs.",
            "- Backend: FastAPI, Python 3.9",
            "Use a version the catalog pins (the warning lists them), or accept the default.",
        ),
        Code::NoDeployables => d(
            "A feature whose spec or plan input is about containers, Kubernetes, Helm or Docker is expected to produce deployables; when no input names a component and no component folder is found, sp plans it without any, which is rarely what was meant.",
            "a spec about \"deploying the todo app to Minikube with Helm\" and a plan-input.md without `Frontend:` or `Backend:` lines, in a repository without component folders",
            "Name the components in plan-input.md (`- Backend: FastAPI, Python 3.13`) or in its YAML block (`components:`), or add their folders to the repository; the warning lists the evidence that the feature is about deployment.",
        ),
        Code::UnusedDeploymentFact => d(
            "A deployment fact stated in the plan input or a requirement (a namespace, a replica count, a port, a host, a service type, a storage size, resources, an image pull policy) that the model does not use means the output differs from what the text promises.",
            "- The backend runs 3 replicas in namespace `shop`.   (while the model deploys 1 replica in `todo`)",
            "Say it where sp reads it (the YAML block, or the phrasings `sp plan --explain` shows), or correct the text so it agrees with the model.",
        ),
        Code::UndeployedServices => d(
            "When the spec or the plan input enumerates services (\"three services: web, api and worker\") and the model deploys fewer, one was probably left out of the plan input.",
            "- The system has four services: web, api, worker and scheduler.   (only web and api are components)",
            "Add the missing components to plan-input.md, or correct the enumeration.",
        ),
        Code::NotADeploymentFeature => d(
            "sp decides per feature whether it is about deployment: a word about Docker, containers, Kubernetes, Helm, Minikube, kubectl or pods in the spec's title, input line, stories or requirements, in the plan input, or in a constitution principle that names the feature. A feature that is not (an API, a chatbot backend) gets the planning documents only, even when its plan input names a backend or a frontend; plan.md says which evidence decided.",
            "- Backend: FastAPI   (in the plan input of a chatbot feature whose spec never mentions deployment)",
            "Nothing to do if the feature is indeed not about deployment. Otherwise write `deploy: true` in the plan input's ```yaml block, or state the deployment in the spec.",
        ),
        Code::ScaleDisagrees => d(
            "The Technical Context's Scale/Scope counts the services, images, deployments or containers of the feature; when the deployment model has fewer, a component is missing from the plan input or the count is out of date.",
            "Scale/Scope: 3 Docker images (frontend, backend, MCP server)   (with only Frontend: and Backend: stack lines)",
            "Name the missing component in the plan input (a stack line or `components:` in the YAML block), or correct Scale/Scope.",
        ),
        Code::SourceFolderUnknown => d(
            "What a component runs, on which port, with which variables, comes from its source; sp finds it in the folder named like the component or its role (`backend`, `api`, `web`) at the top level, under apps/, services/ or packages/, or one level inside another folder when only one is so named. A repository that keeps one copy per phase (`phase3/backend`, `phase4/backend`) leaves the choice open, and a guess would build the wrong code; a `sourceDir` with no manifest in it leaves the image nothing to install. A component that only the constitution's project-wide technology stack names (`- **MCP Server**: …`), with no folder of its own while the other components found theirs, is not deployed at all: it runs inside another component or belongs to another feature, and an image built from a folder that does not exist would fail the whole deployment.",
            "`- Backend: FastAPI` in a repository with phase3-todo-ai-chatbot/backend/ and phase4-kubernetes-deployment/backend/ and no backend/ at its root",
            "Name the folder: `components.backend.sourceDir: phase4-kubernetes-deployment/backend` in the deployment block of plan-input.md, or `--set components.backend.sourceDir=…`.",
        ),
        Code::FolderNotDeployed => d(
            "When no input names a component, sp takes the repository's folders as the components (frontend/, backend/, api/, web/, apps/*, services/*, or the root project when there is no such folder). A project it sees and does not deploy would otherwise vanish without a word: the deployment would build the frontend and leave the API that the root holds. Reported: the root project when folders were taken instead, a second folder with a component's name, a considered folder whose manifest names no stack the catalog builds or is of a language sp does not build (pom.xml, build.gradle, Gemfile, composer.json, *.csproj…), and a project with a framework dependency in a folder discovery does not look in.",
            "frontend/ (Next.js) beside a Flask app at the repository root (requirements.txt with flask, app.py, Procfile); a Maven api/pom.xml; a Vite app in dashboard/",
            "Name every component in the plan input's YAML block, with the folder of each: `components: {web: {stack: nextjs, sourceDir: frontend}, api: {stack: flask, sourceDir: .}}`. Once one component is named, discovery does not run and this warning goes.",
        ),
        Code::ComposeServiceNotDeployed => d(
            "A compose file at the repository root is the team's own account of what the application runs beside its code. A database or cache it starts from an image, and that no input mentions, would be missing from the cluster without a word: the components would start and fail to reach it. An input that says the application keeps no data (`Storage: none`) does not silence it: the code may still read the compose file's database (a `DATABASE_URL`), so the warning points at that statement too, and one of the two is stale. A service the compose file builds is a component of the deployment when one is named like it, or takes its folder; a second service of the same folder (a Celery worker beside the API, the same image with its own `command:`) would otherwise be left out as silently.",
            "docker-compose.yml runs `db` (postgres:17) and `cache` (redis:7), and the plan input says nothing about storage\ndocker-compose.yml builds `api` and `worker` (command: celery -A app.tasks worker) from ./backend",
            "Say what the application needs in the cluster in plan-input.md: `- Database: PostgreSQL 17 (in-cluster, persistent volume 2Gi)`, `- Cache: Redis 7 (in-cluster, persistent volume 1Gi)`, or the managed service it uses instead (`- Database: Neon PostgreSQL (external)`); a service sp has no kind for (a broker, a mail catcher, an admin UI) runs outside the deployment, and the components get its address through their configuration. For a built service, add the `components:` entry the warning gives (`worker: {sourceDir: backend, stack: python-worker, command: [\"celery\", …]}`).",
        ),
        Code::MissingVariable => d(
            "The component's source reads an environment variable without a default and no input gives it a value; the process would start without it and fail, or misbehave, in the cluster.",
            "os.environ[\"OPENAI_MODEL\"] in api/app/main.py, and no `config:` entry, .env.example key or prose value for OPENAI_MODEL",
            "Give the value in the plan input's YAML block (`components.api.config.OPENAI_MODEL: gpt-4o-mini`), name it as a secret if it is one, or give it a default in the code; the warning shows the line to add. A browser build-time variable (`NEXT_PUBLIC_*`, `VITE_*`, `REACT_APP_*`, `GATSBY_*`) is inlined when the image is built: its value becomes an `ARG` of the Dockerfile's build stage, and a backend URL in it is the one the browser reaches (a port-forward's `localhost` port or an Ingress host), never a Service name.",
        ),
        Code::LocalhostInCluster => d(
            "Inside a pod, localhost is the pod itself; a configuration value that points at localhost for another component or service cannot reach it once deployed. sp rewrites such a value to the Service on that port when there is one; it cannot rewrite code, so a proxy the application configures itself (a `rewrites()` destination in next.config, which `next build` copies into the routes manifest) is reported with the Service it meant.",
            "API_URL=http://localhost:9999 in web/.env.example, with no component or service on port 9999; `destination: \"http://localhost:8000/:path*\"` in web/next.config.ts",
            "Point the value at the Service name of what it calls (`http://api:8000`), or declare the component or backing service on that port so sp rewrites it. For a Next.js rewrite, write the Service's address in the destination, or read it from a variable that is set when the image is built.",
        ),
        Code::ProseContradictsSource => d(
            "The prose and the source disagree about a fact (a port, an entry point); the source is what runs, so the prose is probably outdated and the documents would repeat a wrong statement.",
            "plan-input.md says \"the API listens on 8080\" while the code starts uvicorn on port 8000",
            "Correct the prose, or change the code if the prose is what was meant.",
        ),
        Code::NoEntryPoint => d(
            "The Dockerfile's CMD is derived from what starts the component (an application object, a start script, the team's Dockerfile); without one the catalog's default command is a guess.",
            "a Python component folder without an `app = FastAPI()` object, a `__main__` module or a start script",
            "Add the entry point to the code, or state the command in the YAML block (`components.api.command`) if the schema offers it, or in prose.",
        ),
        Code::NoHealthRoute => d(
            "Probes that ask a path the code does not serve (the catalog's `/health`) fail on every pod, so Kubernetes restarts a healthy process forever. When the component's source was read and declares no health-like route (`/health`, `/healthz`, `/readyz`, `/ready`), the liveness, readiness and startup probes open a TCP connection to the container port instead: that works for the code as it is, and proves the server listens. It does not prove the application can serve, so a real route is better. sp does not probe another route the code declares (such as `/`): it may need authentication or a database, or redirect, and a probe that fails for those reasons restarts a pod that is fine. The same holds for an image a build script makes from a folder another component shares, when its Dockerfile runs a command sp cannot take apart (`python -c \"from tools.server import mcp; …\"`): the folder's routes belong to the application object this image does not run.",
            "backend/app/main.py with `app = FastAPI()` and routes `/`, `/api/tasks`, and no `/health`",
            "Add a route that answers 200 without authentication or a database call (`@app.get(\"/healthz\")` in FastAPI, `app.get('/healthz', …)` in Express) and run sp again; it is found and probed. Or name an existing route in the deployment block: `components.backend.health.liveness: /ping`.",
        ),
        Code::InvalidValue => d(
            "Values of the deployment input end up as Kubernetes names, image references, Helm release names, folder paths in Dockerfiles and arguments of shell commands. A value that does not fit would be refused by kubectl or helm at deploy time, or worse, be read as syntax: `evil;rm -rf /` as an image, a newline in a tag that adds a `RUN` line to a Dockerfile.",
            "sp plan --set 'components.backend.image=evil;rm -rf /'\nsp plan --set app=$(printf 'a%.0s' {1..63})   # a release name longer than 53\ncomponents:\n  api:\n    tag: \"1.0\\nRUN curl … | sh\"",
            "Write the value in the form the message gives: DNS labels (lower case, digits, `-`), OCI image repositories without a tag, tags of letters, digits, `_`, `.` and `-`, folders relative to the workspace, Kubernetes quantities such as `500m` and `256Mi`, a request no larger than its limit.",
        ),
        Code::BrowserCallsLocalhost => d(
            "A `NEXT_PUBLIC_*` (or `VITE_*`, `REACT_APP_*`) value is inlined into the JavaScript the browser runs, on the user's machine, where no Service name resolves. `http://localhost:8000` there reaches the backend only through a port-forward from that machine; sp cannot rewrite it as it rewrites a pod's configuration, so it keeps the value, starts the port-forward in the quickstart's Access step, and says so.",
            "frontend/.env.example: NEXT_PUBLIC_API_URL=http://localhost:8000, beside a backend listening on 8000",
            "For a local cluster, keep the port-forward of the quickstart running while you use the app. For a deployment others use, give the address browsers reach the backend by (an Ingress host): `components.frontend.config.NEXT_PUBLIC_API_URL: https://api.example.com` in the deployment block.",
        ),
        Code::BrowserCallsNothing => d(
            "A browser build argument is inlined into the JavaScript the user's browser runs. When its `localhost` port is no component's, no port-forward can serve it: the value was written for another layout (a backend once on 5000, now on 8000) and every call the page makes to it fails.",
            "frontend/.env.example: NEXT_PUBLIC_API_URL=http://localhost:5000, beside a backend listening on 8000",
            "Point it at the port of the component it calls (then the quickstart forwards that port, SP425), or give the address browsers reach it by: `components.frontend.config.NEXT_PUBLIC_API_URL: https://api.example.com` in the deployment block.",
        ),
        Code::NormalizedName => d(
            "Kubernetes and Helm accept only lower-case DNS labels as names; a name written for people is turned into that form so the output works, and the note says which name the objects will have.",
            "components:\n  Bad_Name:\n    stack: fastapi",
            "Write the normalized name (`bad-name`) in the input to silence the note.",
        ),
        Code::UnlockedInstall => d(
            "Without a lock file the image installs whatever versions resolve on the day it is built, so two builds of one commit can differ and a broken release of a dependency breaks the image.",
            "frontend/package.json with no package-lock.json, pnpm-lock.yaml, yarn.lock or bun.lockb beside it; backend/requirements.txt with `fastapi>=0.115` (pip's only lock is a requirements file that pins every dependency with `==`)",
            "Commit the lock file of the package manager the folder uses (`npm install`, `uv lock`, `pnpm install`), or pin every requirement (`pip freeze > requirements.txt`); the Dockerfile then installs from it with a frozen install.",
        ),
        Code::StaleLockfile => d(
            "The Dockerfile installs with the lock file frozen (`npm ci`, `uv sync --locked`); a lock file that no longer matches its manifest makes that step fail in `docker build`, long after the edit that caused it. A lock file whose manager has nothing to install (a `uv.lock` beside a pyproject.toml without `[project]`, left from before the project moved to Poetry) would make the install succeed and the container stop at start; it does not choose the package manager, and is reported too. Nor does a `uv.lock` whose pyproject.toml lacks dependencies that the requirements.txt the team's own Dockerfile installs with pip lists (the code imports them): the image installs that requirements.txt, as the team's does.",
            "a dependency added to pyproject.toml without running `uv lock`",
            "Run the package manager's lock command in the component folder (`uv lock`, `npm install`) and commit the updated lock file.",
        ),
        Code::InvalidTsconfig => d(
            "A TypeScript server runs as the JavaScript tsc writes: `src/index.ts` under `rootDir: \"src\"` and `outDir: \"dist\"` runs as `node dist/index.js`. sp reads those options from tsconfig.json the way tsc does (`//` and `/* */` comments and trailing commas allowed), and from the configs it `extends` in the component's folder (tsconfig.json, tsconfig.build.json, tsconfig.base.json); a file it cannot read, or a base it does not read (outside the folder), leaves the compiled path unknown, so the image would not know what to run.",
            "api/tsconfig.json with `\"outDir\": \"dist\" \"rootDir\": \"src\"` (a missing comma); api/tsconfig.build.json with `\"extends\": \"../tsconfig.base.json\"` and no outDir of its own",
            "Fix the JSON at the line shown, or set `outDir` and `rootDir` in the component's own tsconfig; `npx tsc --showConfig` prints the configuration tsc reads.",
        ),
        Code::StackNeedsSetting => d(
            "sp picks a Next.js stack from next.config: the standalone server when it sets `output: \"standalone\"`, the static export when it sets `output: \"export\"`, and `next start` otherwise. A stack set by hand in the deployment block is kept, but its Dockerfile copies what the build writes only with that setting (`.next/standalone`, `out/`), so `docker build` would fail at that COPY.",
            "`components.web.stack: nextjs-standalone` in the plan input, and web/next.config.ts without `output: \"standalone\"`; web/next.config.ts served by `next start` with no `typescript` in web/package.json (Next.js reads a TypeScript config through that package when it starts, and the runtime stage copies it only from the install)",
            "Add the setting to the file shown, or drop the `stack` line and let sp pick the stack the configuration asks for. For a missing package, add it to the devDependencies and update the lock file.",
        ),
        Code::DevProxyNotRouted => d(
            "In development, Vite's dev server forwards the paths of `server.proxy` (`/api` → `http://localhost:8000`), so the site's code calls them on its own origin. `vite build` leaves the proxy behind: in the image, nginx serves the built files, and sp writes one nginx route per entry, to the Service listening on the target's port, stripping the prefix when the entry's `rewrite` does (`path.replace(/^\\/api/, '')`), forwarding WebSocket upgrades with `ws: true` and the Service's own `Host` with `changeOrigin: true`. An entry it cannot route would send the browser's calls to the page fallback, which answers them with index.html.",
            "web/vite.config.ts with `proxy: { '/api': { target: 'https://api.example.com' } }` (outside the cluster, where the NetworkPolicy lets nginx reach nothing), `target: apiTarget` (not a literal), or `rewrite: (p) => p.replace(/^\\/api/, '/v2')` (a rewrite sp does not follow)",
            "Write the target as a literal on the port of a component of the deployment (`target: 'http://localhost:8000'`), strip a prefix with `rewrite: (path) => path.replace(/^\\/api/, '')`, and call services outside the cluster with their public URL from the browser (a `VITE_` variable given as a build argument).",
        ),
        Code::InstallScript => d(
            "npm, pnpm, yarn and bun run the project's own `preinstall`, `install`, `postinstall` and `prepare` scripts when they install its dependencies. The image installs dependencies in a stage of their own, from package.json and the lock file alone, so a source change does not reinstall them; its production install (`npm ci --omit=dev`) has no development dependencies. A `\"prepare\": \"husky\"` then fails with `husky: not found`, a `\"postinstall\": \"prisma generate\"` finds no schema, and `docker build` stops.",
            "frontend/package.json with `\"scripts\": { \"prepare\": \"husky\" }` or `\"postinstall\": \"prisma generate\"`",
            "Make the script succeed without the rest of the folder and without development dependencies: `\"prepare\": \"husky || true\"`; run code generation in `build` (`\"build\": \"prisma generate && next build\"`). A script that already ends in `|| true` is not reported.",
        ),
        Code::ImageNotDeployed => d(
            "A `Dockerfile` in a folder of its own is the team saying that the folder is an image the application runs: an MCP server, an agent, a proxy. When the inputs name the components and none of them builds from that folder, the deployment would start without it, and nothing else would say so. A folder that also holds no project sp reads (no pyproject.toml, requirements.txt, package.json, go.mod, Cargo.toml) cannot be deployed as it is: sp builds images from the project, not from the team's Dockerfile alone. Folders whose names say they are not deployed (`docs`, `tests`, `examples`, `docker`, `deploy`, `infra`, `k8s`, `helm`…), the root, folders inside a component's folder and Dockerfiles a build script uses for another folder are not reported.",
            "mcp-server/Dockerfile (`CMD [\"python\", \"mcp_server.py\"]`) while the plan names only `backend` and `frontend`",
            "Deploy it: add the component to the plan input's deployment block (`components: {mcp-server: {sourceDir: mcp-server, stack: python-service}}`) and, when the folder holds no project, commit its manifest (requirements.txt, package.json…) beside the code it runs. Or, when the image is not part of this feature, say so in the plan input and move the folder under a name that says it (`tools/`, `examples/`).",
        ),
        Code::CommandNotInstalled => d(
            "The image installs the packages of the component folder's requirements.txt (and the files it includes with `-r`) and nothing else; a program the start command runs, from a package that file does not list, is not in the image, and the container exits at once (`uvicorn: not found`, `No module named uvicorn`). It happens when the team installs another file (its Dockerfile copies `src/requirements.txt`), or when the command comes from the catalog for a framework the folder runs some other way. A requirements file with a constraints file (`-c`) is not judged.",
            "backend/requirements.txt holding only comments, while the command is `uvicorn src.main:app` and backend/Dockerfile installs src/requirements.txt",
            "List the package in the folder's requirements.txt (`uvicorn==0.34.0`), or make it include the file the team installs (`-r src/requirements.txt`); or set `components.<name>.command` to what the installed packages run.",
        ),
        Code::ComposeValueNotCopied => d(
            "sp reads the `environment:` of the compose service that builds a component as the values the team runs it with: after the deployment block and `.env.example`, credentials by name into the Secret (never their values), the rest into the ConfigMap. A value that reaches another service of the compose file by its compose name (`postgres-db`, `api-backend`) would not resolve in the cluster, where sp names Services after components and backing services, so it is left out and named here instead of copied silently or dropped silently.",
            "services:\n  api-backend:\n    build: ./backend\n    environment:\n      CACHE_HOST: redis-cache\n  redis-cache:\n    image: redis:7",
            "Give the cluster's address with `components.<name>.config.<VARIABLE>: <value>` in the deployment block of plan-input.md (or `--set`): a component is reached at `http://<component>:<port>`, a backing service at the host `sp plan --explain` shows for it.",
        ),
        Code::ImportedFolderMissing => d(
            "The image builds the frontend from the repository as committed; an import through a tsconfig path alias (`@/*` → `./src/*`) of a folder git does not hold fails `npm run build` with `Module not found`, long after `sp plan` wrote a Dockerfile that looks complete. Python's `.gitignore` template ignores `lib/` anywhere in the tree, which takes a Next.js `src/lib/` with it when a repository keeps both.",
            "frontend/src/components/ui/button.tsx: import { cn } from \"@/lib/utils\"   (frontend/src/lib/ is not in git)",
            "Commit the folder; if a `.gitignore` rule leaves it out, narrow the rule to the folder it meant (`/lib/` or `backend/lib/`).",
        ),
        Code::ImportOutsideContext => d(
            "sp builds each component's image from its own folder (the build context), as the contracts, the quickstart and skaffold.yaml say; code it imports from a sibling folder through a path alias (`@site/tokens` → `../site/tokens`) is not in that context, and the image's build fails even though the team's compose file, building from the repository root, works.",
            "frontend/tsconfig.json: \"paths\": { \"@site/*\": [\"../site/*\"] }   and   import { colors } from \"@site/tokens\"",
            "Move the shared code into the component's folder, or publish it as a package the component depends on.",
        ),
        Code::TemplateError => d(
            "A document template that does not parse or render would leave a document half written; the run fails instead.",
            "templates/plan.md.jinja containing `{% for stage in plan.stages %}` without `{% endfor %}`",
            "Fix the template at the line shown, or delete the override to use the built-in template.",
        ),
        Code::HandlebarsTemplate => d(
            "sp renders its documents with Jinja templates (minijinja) since handlebars proved too slow to compile on every run. An override written for handlebars cannot be read as Jinja, and rendering the built-in document in its place would drop the team's edits without a word, so the run fails instead.",
            "templates/plan.md.hbs",
            "Rename the file to `templates/plan.md.jinja` and rewrite its tags: `{{#each plan.stages}}…{{/each}}` becomes `{% for stage in plan.stages %}…{% endfor %}` with the fields inside as `stage.name`, `{{#if x}}…{{else}}…{{/if}}` becomes `{% if x %}…{% else %}…{% endif %}`, `{{#unless x}}` becomes `{% if not x %}`, `../name` becomes the outer loop's variable, `@last` becomes `loop.last`, and the helpers become filters: `{{cell x}}` → `{{ x|cell }}`, `{{len xs}}` → `{{ xs|length }}`, `{{join xs \", \"}}` → `{{ xs|join(\", \") }}`, `{{plural n \"story\" \"stories\"}}` → `{{ n|plural(\"story\", \"stories\") }}`, `(eq a b)` → `a == b`. A block tag that ends a line of text (`… {{/if}}` then a newline) takes `+%}` to keep that newline. `sp init --templates` writes the built-in templates in the new syntax beside it, to start from.",
        ),
        Code::OutputEscapes => d(
            "Every generated file must land inside the output folder; a path that would leave it could overwrite any file the user can write.",
            "a feature folder whose name makes an output path climb out of out/",
            "Rename the feature folder to spec-kit's `NNN-slug` form.",
        ),
        Code::EditConflict => d(
            "sp keeps a record of what it last wrote (out/<feature>/.sp/). A generated file edited by hand is merged three ways with the new output; where the edit and the new output change the same lines, either choice would silently lose someone's work, so the file and the whole feature are left as they were.",
            "sp plan 006\nsed -i 's/replicas: 2/replicas: 5/' out/006-k8s-deployment/k8s/backend-deployment.yaml\nsp plan 006 --set components.backend.replicas=3",
            "Undo the edit, or make it permanent where sp reads it (the typed input, --set, or a template override under .specify/templates/sp/), then run again. `sp plan --force` overwrites the file and lists the lines that were lost.",
        ),
        Code::StaleFeatureOutput => d(
            "A committed output folder of a feature that is gone still reads as the project's plan, Dockerfiles and chart; nothing regenerates it, so it silently drifts from the code. sp never deletes a folder of committed files on its own, so it says so, and `--check` fails in CI until someone decides.",
            "git mv specs/004-k8s-deployment specs/005-k8s-deployment\nsp plan --all",
            "Delete the folder (`rm -r out/004-k8s-deployment`) if the feature was removed or renamed, or restore the feature under specs/.",
        ),
        Code::GateFailed => d(
            "A generated artifact violates a constitution rule bound to a gate (or the secure-by-default policy); shipping it would break the principle the team agreed on, so nothing is written.",
            "sp plan --set components.backend.uid=0   # G101 run-as-non-root",
            "Change the input so the gate passes (the hint says how), or justify the violation in a Complexity Tracking row naming the gate. `sp explain G101` documents each gate.",
        ),
        Code::WaiverRefused => d(
            "A NON-NEGOTIABLE principle cannot be waived; a Complexity Tracking row that tries to is itself an error.",
            "| G101 run-as-non-root | legacy image | out of scope |   under a NON-NEGOTIABLE Secure Containers principle",
            "Fix the violation instead, or amend the constitution (with its governance process) if the principle is wrong.",
        ),
        Code::UnusedWaiver => d(
            "A Complexity Tracking row that justifies nothing is stale; it may hide a future violation of the same gate.",
            "| G120 replicas-min-2 | … | … |   while every production replica count is 2 or more",
            "Delete the row, or fix the gate or principle it names.",
        ),
        Code::NotChecked => d(
            "`sp check --artifacts` judges only what its gates understand; a file, document or object no gate examined would otherwise look like a pass. Listing it says what was not checked and why.",
            "sp check --artifacts deploy/   where deploy/ holds a templated chart file or a CustomResource of an unknown kind",
            "Nothing to fix in most cases: check those files with the tool that knows them. Render templated charts first (`helm template`) to have the result checked.",
        ),
        Code::UnknownGate => d(
            "A principle's Gates line binds gates by code or name; one the catalog does not have binds nothing, so the principle is not enforced as intended.",
            "**Gates**: G999, run-as-nonroot",
            "Use codes or names that `sp explain` lists (`G101`, `run-as-non-root`).",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_documented_in_full() {
        for &c in Code::ALL {
            let d = docs(c);
            for (part, text) in [("why", d.why), ("example", d.example), ("fix", d.fix)] {
                assert!(text.trim().len() >= 20, "{c}: `{part}` is missing or too short");
            }
            assert!(!c.summary().is_empty(), "{c}: no summary");
        }
    }
}
