using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VideoAspire.Data.Migrations
{
    /// <summary>
    /// The tables of Quartz.NET's ADO.NET job store, where the Worker replicas keep their shared schedule. The DDL is the
    /// one the referenced Quartz ships for PostgreSQL (the script its own schema provisioning runs), so it always matches
    /// the SQL Quartz issues. It only creates what is missing: a Quartz upgrade that adds columns needs a migration of its
    /// own with Quartz's upgrade script for that release (Quartz's start-up schema check names it).
    /// </summary>
    public partial class QuartzJobStore : Migration
    {
        internal const string TablePrefix = "qrtz_";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            using var script = typeof(Quartz.IJob).Assembly.GetManifestResourceStream("Quartz.Impl.AdoJobStore.Schema.create_postgres.sql")
                ?? throw new InvalidOperationException("The Quartz assembly no longer carries its PostgreSQL schema script.");
            using var reader = new StreamReader(script);
            // {0}: the table prefix, {1}: the same without a schema qualifier (index names).
            migrationBuilder.Sql(reader.ReadToEnd().Replace("{0}", TablePrefix).Replace("{1}", TablePrefix));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"""
                DROP TABLE IF EXISTS {TablePrefix}fired_triggers, {TablePrefix}paused_trigger_grps, {TablePrefix}paused_job_grps,
                    {TablePrefix}scheduler_state, {TablePrefix}locks, {TablePrefix}simprop_triggers, {TablePrefix}simple_triggers,
                    {TablePrefix}cron_triggers, {TablePrefix}blob_triggers, {TablePrefix}triggers, {TablePrefix}job_details,
                    {TablePrefix}calendars, {TablePrefix}execution_history, {TablePrefix}misfire_history, {TablePrefix}job_status;
                """);
        }
    }
}
