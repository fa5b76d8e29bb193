/** Implementation details of rollback-db; not API. */
package dev.rollback.db.internal;
