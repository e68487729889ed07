export {
  MIN_PASSWORD_LENGTH,
  UsersError,
  UsersFile,
  checkPassword,
  hashPassword,
  type User,
  type UsersErrorKind,
} from './users.js';
