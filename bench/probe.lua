-- bench/probe.lua: the shared readiness probe, as a luainit service (it
-- starts with the others, as BusyBox init's ::once: entry does).
return {
	description = "make bench readiness probe",
	command = { "/bench/probe" },
	restart = "never",
	log = { file = false },
}
