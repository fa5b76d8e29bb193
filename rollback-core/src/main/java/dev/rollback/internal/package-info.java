/** Implementation details of the plan engine; not API, may change without notice. */
package dev.rollback.internal;
