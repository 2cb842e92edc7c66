//! The deploy lock: a lease renewed by a heartbeat.
