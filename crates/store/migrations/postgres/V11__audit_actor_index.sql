-- The audit log looked up by the person who acted: "download my data" lists their actions, and
-- erasure renames them to "Former member". Keep V11__audit_actor_index.sql in ../sqlite in step.
CREATE INDEX audit_log_actor ON audit_log (actor_id);
