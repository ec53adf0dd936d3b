//! Data models declared in the repository's source: one reader per ORM family, each a pure
//! function from a file's path and text to the models it declares, every model and field
//! with its line.
//!
//! | family | what is read |
//! |---|---|
//! | SQLModel, Pydantic ([`sqlmodel`]) | `class X(SQLModel, table=True)`, `class X(BaseModel)`, annotated fields, `Field(...)`, `Relationship(...)` |
//! | SQLAlchemy ([`sqlalchemy`]) | declarative classes with `__tablename__`, `Column(...)`, `Mapped[...] = mapped_column(...)`, `relationship(...)`, `__table_args__` indexes |
//! | Django ([`django`]) | `class X(models.Model)`, `models.*Field(...)`, `ForeignKey`, `class Meta` (`db_table`, `indexes`) |
//! | Prisma ([`prisma`]) | `model X { … }` with attributes, `@relation`, `@@index`, `@@map` |
//! | Drizzle ([`drizzle`]) | `pgTable("x", { … })` (and `mysqlTable`, `sqliteTable`) with column builders |
//! | TypeORM ([`typeorm`]) | `@Entity()` classes, `@Column`, `@PrimaryGeneratedColumn`, relation decorators, `@Index` |
//! | Go ([`gostruct`]) | structs whose fields carry `db:"…"` (sqlx) or `gorm:"…"` tags |

pub mod django;
pub mod drizzle;
pub mod gostruct;
pub mod prisma;
pub mod python;
pub mod sqlalchemy;
pub mod sqlmodel;
pub mod typeorm;

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Model {
    pub name: String,
    /// The table it maps to, when it is persisted (declared or derived the way the ORM does).
    pub table: Option<String>,
    /// `SQLModel`, `Pydantic`, `SQLAlchemy`, `Django`, `Prisma`, `Drizzle`, `TypeORM`, `Go (sqlx)`, `Go (GORM)`.
    pub family: String,
    /// Persisted as a table (a Pydantic or non-table SQLModel class is a schema only).
    pub persisted: bool,
    /// Source file, relative to the workspace root.
    pub file: String,
    pub line: usize,
    pub fields: Vec<Field>,
    /// Indexes over several columns, or named ones declared apart from their fields.
    pub indexes: Vec<Index>,
    pub relations: Vec<Relation>,
    /// Models of the same file this one extends (their fields are already merged in).
    pub bases: Vec<String>,
}

impl Model {
    /// A persisted model with no table name, fields, indexes, relations or bases yet: each
    /// reader fills in what its ORM declares.
    pub fn new(name: impl Into<String>, family: impl Into<String>, file: &str, line: usize) -> Self {
        Model {
            name: name.into(),
            table: None,
            family: family.into(),
            persisted: true,
            file: file.to_string(),
            line,
            fields: Vec::new(),
            indexes: Vec::new(),
            relations: Vec::new(),
            bases: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    pub name: String,
    /// The type as written (`Optional[int]`, `String?`, `varchar(255)`).
    pub ty: String,
    pub nullable: bool,
    pub default: Option<String>,
    pub primary_key: bool,
    pub unique: bool,
    pub indexed: bool,
    /// `table.column` (or `Model.field`) this field references.
    pub foreign_key: Option<String>,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Index {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub unique: bool,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Relation {
    pub name: String,
    /// The model on the other side.
    pub target: String,
    /// This side holds many of the target (a list, `has many`, `OneToMany`).
    pub many: bool,
    pub line: usize,
}

impl Field {
    pub fn new(name: &str, ty: &str, line: usize) -> Self {
        Field {
            name: name.to_string(),
            ty: ty.to_string(),
            nullable: false,
            default: None,
            primary_key: false,
            unique: false,
            indexed: false,
            foreign_key: None,
            line,
        }
    }
}

/// Whether a file is worth reading for models (cheap test on the text).
pub fn declares_models(path: &str, text: &str) -> bool {
    if path.ends_with(".prisma") {
        return text.contains("model ");
    }
    if path.ends_with(".py") {
        return text.contains("SQLModel")
            || text.contains("BaseModel")
            || text.contains("__tablename__")
            || text.contains("models.Model")
            || text.contains("DeclarativeBase")
            || text.contains("declarative_base");
    }
    if path.ends_with(".go") {
        return text.contains("struct {") && (text.contains("db:\"") || text.contains("gorm:\""));
    }
    if [".ts", ".tsx", ".js", ".mjs"].iter().any(|x| path.ends_with(x)) {
        return text.contains("Table(") && text.contains("drizzle-orm") || text.contains("@Entity(");
    }
    false
}

/// Every model a file declares, by the reader its extension and content call for.
pub fn parse(path: &str, text: &str) -> Vec<Model> {
    let mut models = if path.ends_with(".prisma") {
        prisma::parse(path, text)
    } else if path.ends_with(".py") {
        let classes = python::classes(text);
        let mut m = sqlmodel::parse(path, &classes);
        // A class SQLModel already reads (its base is a SQLModel class of the file) is not
        // read again as a plain SQLAlchemy declaration.
        let taken: Vec<usize> = m.iter().map(|x| x.line).collect();
        m.extend(
            sqlalchemy::parse(path, &classes)
                .into_iter()
                .filter(|x| !taken.contains(&x.line)),
        );
        m.extend(django::parse(path, &classes));
        m
    } else if path.ends_with(".go") {
        gostruct::parse(path, text)
    } else if text.contains("@Entity(") {
        typeorm::parse(path, text)
    } else {
        drizzle::parse(path, text)
    };
    models.sort_by_key(|m| m.line);
    models
}

/// `created_at`, `createdAt`, `CreatedAt` → `created_at`: the name columns get by default.
pub fn snake(name: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev_lower = i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if i > 0 && (prev_lower || (next_lower && chars[i - 1].is_uppercase())) {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_names() {
        assert_eq!(snake("ConversationMessage"), "conversation_message");
        assert_eq!(snake("userID"), "user_id");
        assert_eq!(snake("HTTPServer"), "http_server");
    }

    #[test]
    fn files_are_chosen_by_content() {
        assert!(declares_models("app/models.py", "class Note(SQLModel, table=True):"));
        assert!(!declares_models("app/main.py", "app = FastAPI()"));
        assert!(declares_models(
            "db/schema.ts",
            "import { pgTable } from \"drizzle-orm/pg-core\";\npgTable("
        ));
        assert!(declares_models("prisma/schema.prisma", "model User {"));
    }
}
