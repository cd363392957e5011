-- Workload partitioning of polling agents (collector, dev.altimeter.collector.polling.partition):
-- one row per agent and partitioning group, refreshed every heartbeat. An agent is live while its
-- heartbeat is younger than the membership timeout; a stopping agent deletes its row.
CREATE TABLE polling_member (
    group_name   text        NOT NULL,
    member_id    text        NOT NULL,
    heartbeat_at timestamptz NOT NULL,
    PRIMARY KEY (group_name, member_id)
);
